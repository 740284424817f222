using System.Text.Json.Nodes;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

internal static class Webhooks
{
    /// <summary>The <c>jira:issue_created</c> Jira sends for a seeded issue, stamped with the time of sending.</summary>
    public static string Created(SimulatedIssue issue) => new JsonObject
    {
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        ["webhookEvent"] = "jira:issue_created",
        ["user"] = new JsonObject { ["accountId"] = "5b10ac8d82e05b22cc7d4ef5" },
        ["issue"] = new JsonObject
        {
            ["id"] = issue.Id,
            ["key"] = issue.Key,
            ["fields"] = new JsonObject
            {
                ["summary"] = issue.Summary,
                ["description"] = Adf.ToText(issue.Description),
                ["issuetype"] = new JsonObject { ["id"] = issue.Type.Id, ["name"] = issue.Type.Name, ["subtask"] = false, ["hierarchyLevel"] = 0 },
                ["project"] = new JsonObject { ["id"] = issue.Project.Id, ["key"] = issue.Project.Key },
            },
        },
    }.ToJsonString();
}
