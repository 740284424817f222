namespace MedTechTracker.Rules.Model;

/// <summary>One compliance rule, as written in the rules file.</summary>
public sealed record Rule
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Standard { get; init; }
    public required string Clause { get; init; }
    public IReadOnlyList<SafetyClass> SafetyClasses { get; init; } = [SafetyClass.A, SafetyClass.B, SafetyClass.C];
    public IReadOnlyList<Keyword> Keywords { get; init; } = [];
    public IReadOnlyList<Keyword> Exclude { get; init; } = [];
    public IReadOnlyList<IssueField> Fields { get; init; } = [IssueField.Summary, IssueField.Description];
    public IReadOnlyList<string> IssueTypes { get; init; } = [];
    public IReadOnlyList<string> AppliesTo { get; init; } = [];
    public IReadOnlyList<string> Instructions { get; init; } = [];
    public IReadOnlyList<string> Evidence { get; init; } = [];

    public string Label => $"mtc-{Id}";
}
