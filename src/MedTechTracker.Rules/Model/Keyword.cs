namespace MedTechTracker.Rules.Model;

/// <summary>
/// One entry of a rule's keywords or exclusions: a single phrase, or phrases that must all hit in one
/// field (optionally within a stretch of <see cref="Within"/> words). Inflected forms are added when the
/// rules are compiled unless <see cref="Inflect"/> is false.
/// </summary>
public sealed record Keyword
{
    /// <summary>One phrase, or (for an all-of entry) two or more.</summary>
    public required IReadOnlyList<string> Phrases { get; init; }

    /// <summary>For an all-of entry: the hits must lie in a stretch of at most this many words; 0 = anywhere in the field.</summary>
    public int Within { get; init; }

    public bool Inflect { get; init; } = true;

    public bool IsAllOf => Phrases.Count > 1;

    public static implicit operator Keyword(string phrase) => new() { Phrases = [phrase] };

    public static Keyword Exact(string phrase) => new() { Phrases = [phrase], Inflect = false };

    public static Keyword AllOf(int within, params string[] phrases) => new() { Phrases = phrases, Within = within };

    /// <summary>How the entry is shown in explanations: the phrase itself, or <c>all(a, b) within N words</c>.</summary>
    public override string ToString() => !IsAllOf
        ? Phrases[0]
        : $"all({string.Join(", ", Phrases)})" + (Within > 0 ? $" within {Within} words" : "");
}
