using System.Text.Json.Nodes;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;

namespace MedTechTracker.Rules;

/// <summary>The JSON shape of an issue's plan, shared by <c>explain --json</c> and the admin API's explain.</summary>
public static class PlanJson
{
    public static JsonObject Of(IssueSnapshot issue, IssuePlan plan)
    {
        var matches = new JsonArray();
        foreach (var match in plan.Matches)
        {
            matches.Add(new JsonObject
            {
                ["ruleId"] = match.RuleId,
                ["reason"] = match.Reason == MatchReason.Keyword ? "keyword" : "issueType",
                ["field"] = match.Field,
                ["keyword"] = match.Reason == MatchReason.Keyword ? match.Keyword : null,
                ["form"] = match.Reason == MatchReason.Keyword ? match.Form ?? match.Keyword : null,
                ["standard"] = match.Rule.Standard,
                ["clause"] = match.Rule.Clause,
            });
        }

        return new JsonObject
        {
            ["issue"] = issue.Key,
            ["issueType"] = issue.IssueType,
            ["isSubtask"] = issue.IsSubtask,
            ["safetyClass"] = plan.SafetyClass.ToString(),
            ["matches"] = matches,
            ["subtasks"] = Subtasks(plan.ToCreate),
            ["alreadyPresent"] = Subtasks(plan.AlreadyPresent),
            ["noLongerMatching"] = new JsonArray([.. plan.NoLongerMatching.Select(s => (JsonNode)new JsonObject { ["ruleId"] = s.RuleId, ["summary"] = s.Summary, ["action"] = "leftAlone" })]),
        };

        static JsonArray Subtasks(IEnumerable<PlannedSubtask> subtasks)
        {
            var array = new JsonArray();
            foreach (var subtask in subtasks)
            {
                array.Add(new JsonObject
                {
                    ["ruleId"] = subtask.RuleId,
                    ["summary"] = subtask.Summary,
                    ["labels"] = new JsonArray([.. subtask.Labels.Select(l => (JsonNode)l)]),
                    ["description"] = subtask.Description.DeepClone(),
                });
            }

            return array;
        }
    }
}
