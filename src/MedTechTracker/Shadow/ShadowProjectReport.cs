namespace MedTechTracker.Shadow;

/// <summary>A consistent copy of one project's Shadow record: totals and per-rule counts since <see cref="Since"/>, newest decisions first.</summary>
public sealed record ShadowProjectReport(
    string ProjectKey,
    DateTimeOffset Since,
    int IssuesEvaluated,
    int IssuesWithRules,
    int SubtasksWouldCreate,
    IReadOnlyList<ShadowRuleCount> Rules,
    IReadOnlyList<ShadowDecision> Recent,
    int Capacity);
