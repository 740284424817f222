namespace MedTechTracker.Shadow;

/// <summary>A sub-task the bot would have created: the rule and the summary rendered from the rules file (never issue text).</summary>
public sealed record ShadowSubtask(string RuleId, string Summary);
