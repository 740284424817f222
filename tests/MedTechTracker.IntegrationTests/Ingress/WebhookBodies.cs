using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.IntegrationTests.Ingress;

/// <summary>Jira Cloud "jira:issue_created" webhook bodies, shaped like the real ones.</summary>
public static class WebhookBodies
{
    public static JsonObject IssueCreated(string key = "MED-42", string id = "10042", string summary = "Add insulin dose calculation", string? description = "The pump computes the bolus dose.", string accountId = "557058:human-author", DateTimeOffset? timestamp = null) =>
        new()
        {
            ["timestamp"] = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(),
            ["webhookEvent"] = "jira:issue_created",
            ["issue_event_type_name"] = "issue_created",
            ["user"] = new JsonObject
            {
                ["self"] = "https://example.atlassian.net/rest/api/2/user?accountId=" + accountId,
                ["accountId"] = accountId,
                ["displayName"] = "Ada Author",
                ["active"] = true,
            },
            ["issue"] = new JsonObject
            {
                ["id"] = id,
                ["self"] = "https://example.atlassian.net/rest/api/2/issue/" + id,
                ["key"] = key,
                ["fields"] = new JsonObject
                {
                    ["summary"] = summary,
                    ["description"] = description,
                    ["issuetype"] = new JsonObject { ["id"] = "10001", ["name"] = "Story", ["subtask"] = false, ["hierarchyLevel"] = 0 },
                    ["project"] = new JsonObject { ["id"] = "10000", ["key"] = key[..key.LastIndexOf('-')], ["name"] = "Medical pump" },
                    ["labels"] = new JsonArray("firmware"),
                    ["subtasks"] = new JsonArray(),
                },
            },
        };
}
