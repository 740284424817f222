namespace MedTechTracker.Admin;

public sealed record RuleView(string Id, string Title, string Standard, string Clause, IReadOnlyList<string> SafetyClasses);

/// <summary>The loaded rule set and where it came from.</summary>
public sealed record RulesView(string Source, DateTimeOffset LoadedAt, string SummaryTemplate, int Count, IReadOnlyList<RuleView> Rules);
