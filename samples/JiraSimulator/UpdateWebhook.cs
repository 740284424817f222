using System.Text.Json.Nodes;

namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>
/// A <c>jira:issue_updated</c> body in the shape Jira Cloud sends: <c>issue_event_type_name</c>, the issue (v2 form,
/// description as a plain string), and a <c>changelog</c> whose items name the field (<c>field</c>, <c>fieldId</c>,
/// <c>fieldtype</c>) and carry the old and new values as text (<c>fromString</c>/<c>toString</c>).
/// </summary>
public static class UpdateWebhook
{
    public const string HumanAccountId = "5b10ac8d82e05b22cc7d4ef5";

    private static long _changelogId = 10_000;

    public static byte[] Build(SimulatedIssue issue, JsonArray items, string? accountId = HumanAccountId, string eventTypeName = "issue_updated", long? changelogId = null)
    {
        var fields = new JsonObject
        {
            ["summary"] = issue.Summary,
            ["description"] = Adf.ToText(issue.Description),
            ["issuetype"] = new JsonObject { ["id"] = issue.Type.Id, ["name"] = issue.Type.Name, ["subtask"] = issue.Type.Subtask, ["hierarchyLevel"] = issue.Type.HierarchyLevel },
            ["project"] = new JsonObject { ["id"] = issue.Project.Id, ["key"] = issue.Project.Key, ["name"] = issue.Project.Name },
            ["labels"] = new JsonArray([.. issue.Labels.Select(l => (JsonNode?)JsonValue.Create(l))]),
            ["status"] = new JsonObject { ["name"] = "To Do", ["id"] = "10000" },
        };
        if (issue.ParentKey is not null)
        {
            fields["parent"] = new JsonObject { ["key"] = issue.ParentKey };
        }

        var user = new JsonObject { ["accountId"] = accountId, ["displayName"] = "Someone", ["active"] = true };
        var body = new JsonObject
        {
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["webhookEvent"] = "jira:issue_updated",
            ["issue_event_type_name"] = eventTypeName,
            ["user"] = user,
            ["issue"] = new JsonObject { ["id"] = issue.Id, ["self"] = $"https://example.atlassian.net/rest/api/2/issue/{issue.Id}", ["key"] = issue.Key, ["fields"] = fields },
            ["changelog"] = new JsonObject
            {
                ["id"] = (changelogId ?? Interlocked.Increment(ref _changelogId)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["items"] = items.DeepClone(),
            },
        };
        return System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>One changelog item as Jira writes it for a system field.</summary>
    public static JsonObject Item(string fieldId, string? fromString, string? toString, string? field = null) => new()
    {
        ["field"] = field ?? fieldId,
        ["fieldtype"] = "jira",
        ["fieldId"] = fieldId,
        ["from"] = null,
        ["fromString"] = fromString,
        ["to"] = null,
        ["toString"] = toString,
    };
}
