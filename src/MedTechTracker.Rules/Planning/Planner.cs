using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Planning;

/// <summary>
/// Issue snapshot + rules + the project's safety class → the sub-tasks to create.
/// Pure: the live worker, the backfill and <c>explain</c> all call this and nothing else decides.
/// </summary>
public static class Planner
{
    public static IssuePlan Plan(CompiledRuleSet rules, IssueSnapshot issue, SafetyClass safetyClass)
    {
        var matches = rules.Match(issue, safetyClass);
        var existing = new HashSet<string>(issue.ExistingSubtaskSummaries.Select(s => s.Trim()), StringComparer.Ordinal);
        var toCreate = new List<PlannedSubtask>();
        var present = new List<PlannedSubtask>();
        foreach (var match in matches)
        {
            var summary = rules.SummaryOf(match.Rule);
            var subtask = new PlannedSubtask(
                match.RuleId,
                summary,
                [RuleSet.CommonLabel, match.Rule.Label],
                SubtaskDescription.Build(match, safetyClass));
            (existing.Contains(summary) ? present : toCreate).Add(subtask);
        }

        var fired = new HashSet<string>(matches.Select(m => m.RuleId), StringComparer.Ordinal);
        var leftAlone = rules.RuleSet.Rules
            .Where(rule => !fired.Contains(rule.Id) && existing.Contains(rules.SummaryOf(rule)))
            .Select(rule => new LeftAloneSubtask(rule.Id, rules.SummaryOf(rule)))
            .ToList();
        return new IssuePlan(issue.Key, safetyClass, matches, toCreate, present, leftAlone);
    }
}
