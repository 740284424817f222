using System.Text.Json.Nodes;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Planning;

/// <summary>
/// The ADF description of a compliance sub-task: why it exists (field and keyword, or issue type,
/// never the issue's own text), numbered instructions, the evidence the Design History File needs,
/// and the standard, clause and safety class.
/// </summary>
public static class SubtaskDescription
{
    public static JsonObject Build(RuleMatch match, SafetyClass safetyClass)
    {
        var rule = match.Rule;
        var content = new JsonArray
        {
            Paragraph(
                Text("Why: "),
                Text($"created by MedTech Compliance Tracker because {match.Describe()} (rule {rule.Id})."),
                null),
        };

        if (rule.Instructions.Count > 0)
        {
            content.Add(Heading("Instructions"));
            content.Add(List("orderedList", rule.Instructions));
        }

        if (rule.Evidence.Count > 0)
        {
            content.Add(Heading("Evidence for the Design History File"));
            content.Add(List("bulletList", rule.Evidence));
        }

        content.Add(Paragraph(
            Strong("Standard: "),
            Text($"{rule.Standard} {rule.Clause}"),
            Text($" \u00b7 Project safety class: {safetyClass} (IEC 62304)")));

        return new JsonObject
        {
            ["type"] = "doc",
            ["version"] = 1,
            ["content"] = content,
        };
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject Strong(string text) => new()
    {
        ["type"] = "text",
        ["text"] = text,
        ["marks"] = new JsonArray { new JsonObject { ["type"] = "strong" } },
    };

    private static JsonObject Paragraph(params JsonObject?[] parts)
    {
        var content = new JsonArray();
        foreach (var part in parts)
        {
            if (part is not null)
            {
                content.Add(part);
            }
        }

        return new JsonObject { ["type"] = "paragraph", ["content"] = content };
    }

    private static JsonObject Heading(string text) => new()
    {
        ["type"] = "heading",
        ["attrs"] = new JsonObject { ["level"] = 3 },
        ["content"] = new JsonArray { Text(text) },
    };

    private static JsonObject List(string type, IReadOnlyList<string> items)
    {
        var list = new JsonArray();
        foreach (var item in items)
        {
            list.Add(new JsonObject
            {
                ["type"] = "listItem",
                ["content"] = new JsonArray { Paragraph(Text(item)) },
            });
        }

        return new JsonObject { ["type"] = type, ["content"] = list };
    }
}
