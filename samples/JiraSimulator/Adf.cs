using System.Text;
using System.Text.Json.Nodes;

namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>Plain text ↔ Atlassian Document Format, as far as the simulator needs it.</summary>
public static class Adf
{
    public static JsonObject FromText(string text)
    {
        var content = new JsonArray();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            content.Add(new JsonObject
            {
                ["type"] = "paragraph",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = paragraph.Trim() }),
            });
        }

        return new JsonObject { ["type"] = "doc", ["version"] = 1, ["content"] = content };
    }

    public static string ToText(JsonNode? node)
    {
        var text = new StringBuilder();
        Append(node, text);
        return text.ToString().Trim();
    }

    private static void Append(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["text"] is JsonValue value)
                {
                    text.Append(value.GetValue<string>());
                }

                Append(obj["content"], text);
                if (obj["type"]?.GetValue<string>() is "paragraph" or "heading" or "listItem")
                {
                    text.Append('\n');
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Append(child, text);
                }

                break;
        }
    }
}
