using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Validation;

/// <summary>
/// Why an expected rule did not fire. Each condition is checked by running the same matcher on a probe rule with one
/// condition changed, so the explanation cannot drift from what the matcher really does.
/// </summary>
public static class MissDiagnosis
{
    private static readonly SafetyClass[] AllClasses = [SafetyClass.A, SafetyClass.B, SafetyClass.C];

    public static string WhyNotFired(Rule rule, IssueSnapshot issue, SafetyClass safetyClass)
    {
        if (issue.IsSubtask)
        {
            return "the issue is a sub-task, and sub-tasks never fire rules";
        }

        if (!rule.SafetyClasses.Contains(safetyClass))
        {
            return $"safety class gates it: the case is class {safetyClass}, the rule applies to class {string.Join(", ", rule.SafetyClasses)} only";
        }

        if (rule.AppliesTo.Count > 0 && !Fires(Probe(rule) with { IssueTypes = rule.AppliesTo }, issue))
        {
            return $"appliesTo: the issue type '{issue.IssueType}' is not one of {string.Join(", ", rule.AppliesTo)}";
        }

        if (rule.Exclude.Count > 0 && Fires(rule with { Exclude = [], SafetyClasses = AllClasses, AppliesTo = [] }, issue))
        {
            foreach (var phrase in rule.Exclude)
            {
                if (Match(Probe(rule) with { Keywords = [phrase] }, issue) is { } hit)
                {
                    return $"excluded by phrase \u201c{phrase}\u201d in the {hit.Field}";
                }
            }

            return "excluded by one of its exclude phrases";
        }

        var fields = string.Join(" and ", rule.Fields.Select(f => f.ToString().ToLowerInvariant()));
        var reason = $"no phrase hit in the rule's fields ({fields})";
        return rule.IssueTypes.Count > 0
            ? $"{reason}, and the issue type '{issue.IssueType}' is not one of its issueTypes ({string.Join(", ", rule.IssueTypes)})"
            : reason;
    }

    /// <summary>A rule with only the rule's fields: no phrases, no gates, no triggers.</summary>
    private static Rule Probe(Rule rule) => new()
    {
        Id = "probe",
        Title = "probe",
        Standard = "probe",
        Clause = "probe",
        Fields = rule.Fields,
    };

    private static bool Fires(Rule rule, IssueSnapshot issue) => Match(rule, issue) is not null;

    private static RuleMatch? Match(Rule rule, IssueSnapshot issue) =>
        new CompiledRuleSet(new RuleSet { Rules = [rule] }).Match(issue, SafetyClass.C).FirstOrDefault();
}
