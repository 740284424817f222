using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MedTechTracker.Rules.Adf;

/// <summary>
/// Plain text of an Atlassian Document Format document: the text of every text-bearing node
/// (paragraphs, headings, lists, tables, panels, quotes, code blocks, expands, status, date, mention, emoji).
/// Iterative, so hostile nesting cannot overflow the stack; wrong types and unknown nodes are skipped.
/// </summary>
public static class AdfText
{
    /// <summary>
    /// The deepest JSON accepted from Jira or a payload file. Jira's JSON layer (Jackson) refuses documents nested
    /// deeper than 1,000 levels by default, and the ADF schema nests lists and quotes only a few levels, so no real
    /// issue comes near it; <see cref="JsonDocument"/> parsing costs grow with the square of the depth, so a hostile
    /// 100,000-level document must fail here, in milliseconds, instead of taking seconds of CPU.
    /// </summary>
    public const int MaxJsonDepth = 1000;

    /// <summary>Options for parsing untrusted ADF (extraction itself is iterative and linear in the document size).</summary>
    public static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxJsonDepth };

    /// <summary>True when parsing failed because the document is nested deeper than <see cref="MaxJsonDepth"/>.</summary>
    public static bool IsTooDeep(JsonException exception) =>
        exception?.Message.Contains($"maximum configured depth of {MaxJsonDepth}", StringComparison.Ordinal) == true;

    /// <summary>The one sentence every caller reports for <see cref="IsTooDeep"/> (names no content).</summary>
    public static string TooDeepMessage => $"the JSON is nested deeper than {MaxJsonDepth} levels, which no Jira issue is";

    private static readonly HashSet<string> BlockTypes =
    [
        "paragraph", "heading", "listItem", "tableCell", "tableHeader", "tableRow", "codeBlock",
        "blockquote", "panel", "expand", "nestedExpand", "rule", "mediaSingle", "bulletList", "orderedList",
        "taskItem", "decisionItem", "layoutColumn", "hardBreak",
    ];

    /// <summary>Text of a description that may be a string (webhooks, v2), an ADF object (REST v3) or null.</summary>
    public static string FromDescription(JsonElement description) => description.ValueKind switch
    {
        JsonValueKind.String => description.GetString() ?? "",
        JsonValueKind.Object or JsonValueKind.Array => Extract(description),
        _ => "",
    };

    public static string Extract(JsonElement root)
    {
        var builder = new StringBuilder();
        var stack = new Stack<JsonElement>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.ValueKind == JsonValueKind.Array)
            {
                PushChildren(stack, node);
                continue;
            }

            if (node.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var type = node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text":
                    AppendString(builder, node, "text");
                    continue;
                case "status" or "mention" or "emoji" or "inlineCard" or "placeholder":
                    if (node.TryGetProperty("attrs", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
                    {
                        Separate(builder);
                        AppendString(builder, attrs, type == "inlineCard" ? "url" : "text");
                        builder.Append(' ');
                    }

                    continue;
                case "date":
                    AppendDate(builder, node);
                    continue;
            }

            if (type is not null && BlockTypes.Contains(type))
            {
                Separate(builder);
            }

            if (node.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
            {
                PushChildren(stack, content);
            }
        }

        return builder.ToString().Trim();
    }

    private static void PushChildren(Stack<JsonElement> stack, JsonElement array)
    {
        // Reverse order so the text comes out in document order. (Indexing a JsonElement array
        // is linear in its length, so enumerate once instead.)
        var children = new List<JsonElement>();
        foreach (var child in array.EnumerateArray())
        {
            children.Add(child);
        }

        for (var i = children.Count - 1; i >= 0; i--)
        {
            stack.Push(children[i]);
        }
    }

    private static void AppendString(StringBuilder builder, JsonElement node, string property)
    {
        if (node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String)
        {
            builder.Append(value.GetString());
        }
    }

    private static void AppendDate(StringBuilder builder, JsonElement node)
    {
        if (node.TryGetProperty("attrs", out var attrs) && attrs.ValueKind == JsonValueKind.Object
            && attrs.TryGetProperty("timestamp", out var ts))
        {
            var text = ts.ValueKind == JsonValueKind.String ? ts.GetString() : ts.ValueKind == JsonValueKind.Number ? ts.GetRawText() : null;
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            {
                Separate(builder);
                builder.Append(DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, -62135596800000L, 253402300799999L)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                builder.Append(' ');
            }
        }
    }

    private static void Separate(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[^1] != '\n')
        {
            builder.Append('\n');
        }
    }
}
