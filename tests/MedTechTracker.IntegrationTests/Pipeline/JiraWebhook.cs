using System.Text.Json.Nodes;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>Builds <c>jira:issue_created</c> bodies in the shape Jira Cloud sends (description as a plain string).</summary>
internal static class JiraWebhook
{
    public const string HumanAccountId = "5b10ac8d82e05b22cc7d4ef5";

    public static byte[] IssueCreated(SimulatedIssue issue, string? accountId = HumanAccountId)
    {
        var fields = new JsonObject
        {
            ["summary"] = issue.Summary,
            ["description"] = Adf.ToText(issue.Description),
            ["issuetype"] = new JsonObject { ["id"] = issue.Type.Id, ["name"] = issue.Type.Name, ["subtask"] = issue.Type.Subtask, ["hierarchyLevel"] = issue.Type.HierarchyLevel },
            ["project"] = new JsonObject { ["id"] = issue.Project.Id, ["key"] = issue.Project.Key, ["name"] = issue.Project.Name },
            ["labels"] = new JsonArray(),
            ["subtasks"] = new JsonArray(),
        };
        if (issue.ParentKey is not null)
        {
            fields["parent"] = new JsonObject { ["key"] = issue.ParentKey };
        }

        var body = new JsonObject
        {
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["webhookEvent"] = "jira:issue_created",
            ["issue_event_type_name"] = "issue_created",
            ["user"] = new JsonObject { ["accountId"] = accountId, ["displayName"] = "Someone", ["active"] = true },
            ["issue"] = new JsonObject { ["id"] = issue.Id, ["self"] = $"https://example.atlassian.net/rest/api/2/issue/{issue.Id}", ["key"] = issue.Key, ["fields"] = fields },
        };
        return System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
    }
}
