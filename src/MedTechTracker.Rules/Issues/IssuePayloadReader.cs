using System.Text.Json;
using MedTechTracker.Rules.Adf;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Issues;

/// <summary>
/// Reads an issue from either a Jira webhook (<c>{webhookEvent, issue:{…}}</c>) or a REST issue
/// (<c>{key, fields:{…}}</c>); the description may be a string, an ADF document or null.
/// </summary>
public static class IssuePayloadReader
{
    public static IssueSnapshot Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new IssuePayloadException("the payload must be a JSON object (a Jira webhook or a REST issue)");
        }

        var issue = root.TryGetProperty("issue", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : root;
        return ReadIssue(issue);
    }

    public static IssueSnapshot ReadIssue(JsonElement issue)
    {
        var key = String(issue, "key");
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new IssuePayloadException("the issue has no 'key'");
        }

        if (!issue.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object)
        {
            throw new IssuePayloadException($"issue {key} has no 'fields' object");
        }

        var issueType = fields.TryGetProperty("issuetype", out var type) && type.ValueKind == JsonValueKind.Object ? type : default;
        var isSubtask = issueType.ValueKind == JsonValueKind.Object
            && ((issueType.TryGetProperty("subtask", out var st) && st.ValueKind == JsonValueKind.True)
                || (issueType.TryGetProperty("hierarchyLevel", out var hl) && hl.ValueKind == JsonValueKind.Number && hl.TryGetInt32(out var level) && level == -1));
        var project = fields.TryGetProperty("project", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;

        return new IssueSnapshot
        {
            Key = key,
            Id = String(issue, "id"),
            ProjectKey = project.ValueKind == JsonValueKind.Object ? String(project, "key") : KeyPrefix(key),
            ProjectId = project.ValueKind == JsonValueKind.Object ? String(project, "id") : null,
            IssueType = issueType.ValueKind == JsonValueKind.Object ? String(issueType, "name") ?? "" : "",
            IsSubtask = isSubtask,
            Summary = String(fields, "summary") ?? "",
            Description = fields.TryGetProperty("description", out var description) ? AdfText.FromDescription(description) : "",
            ExistingSubtaskSummaries = SubtaskSummaries(fields),
            Properties = Properties(issue),
        };
    }

    private static Dictionary<string, string>? Properties(JsonElement issue)
    {
        if (!issue.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in properties.EnumerateObject())
        {
            result[property.Name] = property.Value.GetRawText();
        }

        return result;
    }

    private static List<string> SubtaskSummaries(JsonElement fields)
    {
        var summaries = new List<string>();
        if (fields.TryGetProperty("subtasks", out var subtasks) && subtasks.ValueKind == JsonValueKind.Array)
        {
            foreach (var subtask in subtasks.EnumerateArray())
            {
                if (subtask.ValueKind == JsonValueKind.Object
                    && subtask.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Object
                    && String(f, "summary") is { } summary)
                {
                    summaries.Add(summary);
                }
            }
        }

        return summaries;
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static string? KeyPrefix(string key)
    {
        var dash = key.LastIndexOf('-');
        return dash > 0 ? key[..dash] : null;
    }
}
