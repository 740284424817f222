using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Planning;

/// <summary>What the rules say about one issue: which fired, what to create, what already exists.</summary>
public sealed record IssuePlan(
    string IssueKey,
    SafetyClass SafetyClass,
    IReadOnlyList<RuleMatch> Matches,
    IReadOnlyList<PlannedSubtask> ToCreate,
    IReadOnlyList<PlannedSubtask> AlreadyPresent)
{
    public IEnumerable<string> RuleIds => Matches.Select(m => m.RuleId);
}
