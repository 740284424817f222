using System.Text.Json.Nodes;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

public sealed class PlannerTests
{
    private static readonly Rule Soup = Rule("soup-assessment", keywords: ["SOUP", "open source"]) with
    {
        Title = "Assess SOUP and update the SOUP list",
        Clause = "§7.1.3, §8.1.2",
    };

    [Fact]
    public void A_fired_rule_plans_one_subtask_with_the_template_summary_and_both_labels()
    {
        var plan = Planner.Plan(Compile(Soup), Issue(summary: "Add an open source parser"), SafetyClass.B);
        var subtask = Assert.Single(plan.ToCreate);
        Assert.Equal("soup-assessment", subtask.RuleId);
        Assert.Equal("Compliance: Assess SOUP and update the SOUP list (IEC 62304 §7.1.3, §8.1.2)", subtask.Summary);
        Assert.Equal(["medtech-compliance", "mtc-soup-assessment"], subtask.Labels);
        Assert.Empty(plan.AlreadyPresent);
    }

    [Fact]
    public void The_summary_is_deterministic_whatever_matched()
    {
        var rules = Compile(Soup);
        var a = Planner.Plan(rules, Issue(summary: "SOUP"), SafetyClass.C).ToCreate.Single().Summary;
        var b = Planner.Plan(rules, Issue(description: "open source"), SafetyClass.A).ToCreate.Single().Summary;
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_subtask_whose_summary_already_exists_is_not_planned_again()
    {
        var rules = Compile(Soup, Rule("hazard", keywords: ["hazard"]));
        var existing = Planner.Plan(rules, Issue(summary: "SOUP hazard"), SafetyClass.C).ToCreate[0].Summary;

        var plan = Planner.Plan(rules, Issue(summary: "SOUP hazard", existing: ["Unrelated", " " + existing + " "]), SafetyClass.C);

        Assert.Equal(["hazard"], plan.ToCreate.Select(s => s.RuleId));
        Assert.Equal(["soup-assessment"], plan.AlreadyPresent.Select(s => s.RuleId));
        Assert.Equal(2, plan.Matches.Count);
    }

    [Fact]
    public void An_existing_compliance_subtask_of_a_rule_that_no_longer_fires_is_reported_as_left_alone()
    {
        var rules = Compile(Soup, Rule("hazard", keywords: ["hazard"]));
        var soupSummary = Planner.Plan(rules, Issue(summary: "SOUP"), SafetyClass.C).ToCreate[0].Summary;

        var plan = Planner.Plan(rules, Issue(summary: "A hazard, no third-party code after all", existing: [soupSummary, "Written by a person"]), SafetyClass.C);

        Assert.Equal(["hazard"], plan.ToCreate.Select(s => s.RuleId));
        var leftAlone = Assert.Single(plan.NoLongerMatching);
        Assert.Equal(("soup-assessment", soupSummary), (leftAlone.RuleId, leftAlone.Summary));
    }

    [Fact]
    public void The_description_is_ADF_with_why_numbered_instructions_evidence_bullets_standard_clause_and_class()
    {
        var plan = Planner.Plan(Compile(Soup), Issue(summary: "Routine", description: "secret words around an open-source library"), SafetyClass.B);
        var description = plan.ToCreate.Single().Description;

        Assert.Equal("doc", (string?)description["type"]);
        Assert.Equal(1, (int?)description["version"]);
        var content = description["content"]!.AsArray();
        var types = content.Select(n => (string)n!["type"]!).ToArray();
        Assert.Equal(["paragraph", "heading", "orderedList", "heading", "bulletList", "paragraph"], types);
        Assert.Equal(3, content[2]!["content"]!.AsArray().Count);
        Assert.Single(content[4]!["content"]!.AsArray());

        var text = AllText(description);
        Assert.Contains("description contains the keyword \u201copen source\u201d", text);
        Assert.Contains("IEC 62304 §7.1.3, §8.1.2", text);
        Assert.Contains("safety class: B", text);
        Assert.DoesNotContain("secret words", text);
    }

    [Fact]
    public void An_issue_type_trigger_says_so_in_the_description()
    {
        var plan = Planner.Plan(Compile(Rule("problem-resolution", issueTypes: ["Bug"])), Issue(summary: "Crash", type: "Bug"), SafetyClass.C);
        Assert.Contains("the issue type is Bug", AllText(plan.ToCreate.Single().Description));
    }

    [Fact]
    public void Nothing_is_planned_for_a_subtask() =>
        Assert.Empty(Planner.Plan(Compile(Soup), Issue(summary: "SOUP", subtask: true), SafetyClass.C).ToCreate);

    private static string AllText(JsonNode node) => node switch
    {
        JsonObject o when (string?)o["type"] == "text" => (string?)o["text"] ?? "",
        JsonObject o => o["content"] is JsonArray a ? string.Concat(a.Select(n => AllText(n!))) : "",
        _ => "",
    };
}
