namespace MedTechTracker.Rules.Planning;

/// <summary>
/// A compliance sub-task the issue already has for a rule that no longer fires (the issue was edited since). It is left
/// alone: whether the work it asks for is still needed is a person's decision, never the bot's.
/// </summary>
public sealed record LeftAloneSubtask(string RuleId, string Summary);
