using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Planning;

/// <summary>What the rules say about one issue: which fired, what to create, what already exists, and which existing
/// compliance sub-tasks belong to rules that no longer fire (<see cref="NoLongerMatching"/>: left alone).</summary>
public sealed record IssuePlan(
    string IssueKey,
    SafetyClass SafetyClass,
    IReadOnlyList<RuleMatch> Matches,
    IReadOnlyList<PlannedSubtask> ToCreate,
    IReadOnlyList<PlannedSubtask> AlreadyPresent,
    IReadOnlyList<LeftAloneSubtask>? NoLongerMatching = null)
{
    public IReadOnlyList<LeftAloneSubtask> NoLongerMatching { get; init; } = NoLongerMatching ?? [];

    public IEnumerable<string> RuleIds => Matches.Select(m => m.RuleId);
}
