namespace MedTechTracker.Rules.Model;

/// <summary>A validated rules file: the template for sub-task summaries and the rules.</summary>
public sealed record RuleSet
{
    public const string DefaultSummaryTemplate = "Compliance: {title} ({standard} {clause})";
    public const string CommonLabel = "medtech-compliance";
    public const int MaxSummaryLength = 255;

    public int Version { get; init; } = 1;
    public string SummaryTemplate { get; init; } = DefaultSummaryTemplate;
    public required IReadOnlyList<Rule> Rules { get; init; }

    /// <summary>Where the rules came from (a file path, or a name for in-memory sets).</summary>
    public string Source { get; init; } = "(memory)";

    /// <summary>The deterministic summary of the sub-task a rule creates; the duplicate check depends on it.</summary>
    public string RenderSummary(Rule rule) => SummaryTemplate
        .Replace("{title}", rule.Title, StringComparison.Ordinal)
        .Replace("{standard}", rule.Standard, StringComparison.Ordinal)
        .Replace("{clause}", rule.Clause, StringComparison.Ordinal)
        .Replace("{id}", rule.Id, StringComparison.Ordinal)
        .Trim();
}
