namespace MedTechTracker.Validation;

/// <summary>One disagreement between the rules and the labels, with why; names the case file and issue key, never the issue's text.</summary>
public sealed record Finding(int Case, string File, string IssueKey, string RuleId, FindingKind Kind, string Reason);
