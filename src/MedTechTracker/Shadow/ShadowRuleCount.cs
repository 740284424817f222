namespace MedTechTracker.Shadow;

/// <summary>How often a rule fired in a project since the process started, and how many sub-tasks it would have created.</summary>
public sealed record ShadowRuleCount(string RuleId, int Fired, int WouldCreate);
