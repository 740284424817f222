using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Planning;

namespace MedTechTracker.Validation;

/// <summary>Runs every case of a corpus through the planner the worker uses and compares what fires with the labels.</summary>
public static class CorpusEvaluator
{
    public static CorpusEvaluation Evaluate(CompiledRuleSet rules, LabelledCorpus corpus)
    {
        var ruleList = rules.RuleSet.Rules;
        var counts = ruleList.ToDictionary(r => r.Id, _ => new int[3], StringComparer.Ordinal);
        var findings = new List<Finding>();
        var clean = 0;
        foreach (var @case in corpus.Cases)
        {
            var plan = Planner.Plan(rules, @case.Issue, @case.SafetyClass);
            var fired = plan.Matches.ToDictionary(m => m.RuleId, StringComparer.Ordinal);
            var forbiddenFired = false;
            foreach (var rule in ruleList)
            {
                var expected = @case.Expected.Contains(rule.Id);
                var hit = fired.GetValueOrDefault(rule.Id);
                if (expected && hit is not null)
                {
                    counts[rule.Id][0]++;
                }
                else if (expected)
                {
                    counts[rule.Id][2]++;
                    findings.Add(new Finding(@case.Number, @case.File, @case.Issue.Key, rule.Id, FindingKind.Missed, MissDiagnosis.WhyNotFired(rule, @case.Issue, @case.SafetyClass)));
                }
                else if (hit is not null)
                {
                    counts[rule.Id][1]++;
                    var forbidden = @case.Forbidden.Contains(rule.Id);
                    forbiddenFired |= forbidden;
                    findings.Add(new Finding(@case.Number, @case.File, @case.Issue.Key, rule.Id, forbidden ? FindingKind.ForbiddenFired : FindingKind.Unexpected, $"fired because {hit.Describe()}"));
                }
            }

            if (!forbiddenFired)
            {
                clean++;
            }
        }

        return new CorpusEvaluation(
            [.. ruleList.Select(r => new RuleScore(r.Id, counts[r.Id][0], counts[r.Id][1], counts[r.Id][2]))],
            findings,
            corpus.Cases.Count,
            clean);
    }
}
