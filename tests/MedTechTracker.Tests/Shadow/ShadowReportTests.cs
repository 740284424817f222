using System.Text.Json;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Shadow;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Shadow;

public sealed class ShadowReportTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly MedTechTracker.Rules.Matching.CompiledRuleSet _rules = Compile(Rule("soup", keywords: ["library"]), Rule("risk", keywords: ["hazard"]));

    [Fact]
    public void The_ring_keeps_only_the_newest_decisions_newest_first_while_counts_keep_counting()
    {
        var report = Report(recent: 3);

        for (var i = 1; i <= 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            report.Record("MED", Plan($"MED-{i}", "new library with a hazard"));
        }

        var med = report.Get("MED")!;
        Assert.Equal(["MED-5", "MED-4", "MED-3"], med.Recent.Select(d => d.IssueKey));
        Assert.Equal(_time.GetUtcNow(), med.Recent[0].At);
        Assert.Equal(5, med.IssuesEvaluated);
        Assert.Equal(10, med.SubtasksWouldCreate);
        Assert.Equal([new ShadowRuleCount("risk", 5, 5), new ShadowRuleCount("soup", 5, 5)], med.Rules);
        Assert.Equal(3, med.Capacity);
    }

    [Fact]
    public void Counts_separate_rules_that_fired_from_subtasks_already_present_and_issues_without_rules()
    {
        var report = Report();
        var existing = _rules.SummaryOf(_rules.RuleSet.Rules[0]);

        report.Record("MED", Plan("MED-1", "library", existing: [existing]));
        report.Record("MED", Plan("MED-2", "tidy the build"));

        var med = report.Get("MED")!;
        Assert.Equal(2, med.IssuesEvaluated);
        Assert.Equal(1, med.IssuesWithRules);
        Assert.Equal(0, med.SubtasksWouldCreate);
        Assert.Equal([new ShadowRuleCount("soup", 1, 0)], med.Rules);
        Assert.Equal(1, med.Recent[1].AlreadyPresent);
        Assert.Empty(med.Recent[0].RulesFired);
    }

    [Fact]
    public void Projects_are_kept_apart_and_capped()
    {
        var report = Report(maxProjects: 2);

        report.Record("MED", Plan("MED-1", "library"));
        report.Record("PUMP", Plan("PUMP-1", "hazard"));
        report.Record("THIRD", Plan("THIRD-1", "hazard"));

        Assert.Equal(["soup"], report.Get("MED")!.Rules.Select(r => r.RuleId));
        Assert.Equal(["risk"], report.Get("PUMP")!.Rules.Select(r => r.RuleId));
        Assert.Null(report.Get("THIRD"));
    }

    [Fact]
    public void A_decision_holds_the_key_rule_ids_and_rendered_summaries_but_never_the_issue_text()
    {
        var report = Report();

        report.Record("MED", Plan("MED-7", "Marzipan library for the Quokka screen", "Zebrafish hazard in the description"));

        var json = JsonSerializer.Serialize(report.Get("MED"));
        Assert.Contains("MED-7", json, StringComparison.Ordinal);
        Assert.Contains("Compliance: Title of soup", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Marzipan", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Quokka", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Zebrafish", json, StringComparison.Ordinal);
        Assert.Contains("\"SafetyClass\":\"B\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_options_refuse_an_unbounded_ring()
    {
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var options = new ShadowOptions { RecentDecisions = 0 };
        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true);

        Assert.False(valid);
        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(ShadowOptions.RecentDecisions)));
    }

    private ShadowReport Report(int recent = 50, int maxProjects = 500) =>
        new(Options.Create(new ShadowOptions { RecentDecisions = recent, MaxProjects = maxProjects }), _time);

    private IssuePlan Plan(string key, string summary, string description = "", string[]? existing = null) =>
        Planner.Plan(_rules, Issue(summary, description, existing: existing) with { Key = key }, SafetyClass.B);
}
