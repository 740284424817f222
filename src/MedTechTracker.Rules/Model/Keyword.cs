namespace MedTechTracker.Rules.Model;

/// <summary>
/// One entry of a rule's keywords or exclusions: a single phrase, or members that must all hit in one
/// field (optionally within a stretch of <see cref="Within"/> words), each member being one phrase or
/// alternatives of which any may hit. Inflected forms are added when the rules are compiled unless
/// <see cref="Inflect"/> is false.
/// </summary>
public sealed record Keyword
{
    /// <summary>One member holding one phrase, or (for an all-of entry) two or more members of one or more alternative phrases.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> Members { get; init; }

    /// <summary>For an all-of entry: the hits must lie in a stretch of at most this many words; 0 = anywhere in the field.</summary>
    public int Within { get; init; }

    public bool Inflect { get; init; } = true;

    public bool IsAllOf => Members.Count > 1;

    /// <summary>Every phrase of the entry, members and alternatives flattened.</summary>
    public IEnumerable<string> Phrases => Members.SelectMany(m => m);

    public static implicit operator Keyword(string phrase) => new() { Members = [[phrase]] };

    public static Keyword Exact(string phrase) => new() { Members = [[phrase]], Inflect = false };

    public static Keyword AllOf(int within, params string[] phrases) => new() { Members = [.. phrases.Select(p => (IReadOnlyList<string>)[p])], Within = within };

    /// <summary>
    /// How the entry is shown in explanations: the phrase itself, or <c>all(a, b|c) within N words</c>;
    /// a member with more than three alternatives shows the first three and how many there are.
    /// </summary>
    public override string ToString() => !IsAllOf
        ? Members[0][0]
        : $"all({string.Join(", ", Members.Select(Show))})" + (Within > 0 ? $" within {Within} words" : "");

    private static string Show(IReadOnlyList<string> alternatives) => alternatives.Count <= 3
        ? string.Join("|", alternatives)
        : $"{string.Join("|", alternatives.Take(3))}|\u2026 ({alternatives.Count})";
}
