using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MedTechTracker.Diagnostics;

namespace MedTechTracker.Jira;

/// <summary>
/// What of a Jira error body may be stored, logged and printed: the error keys (field names) and a sanitised,
/// bounded message. Jira echoes field values in its messages (<c>Option value 'x' is not valid</c>) and in the
/// per-field <c>errors</c> values, so those values are never kept: quoted text is replaced by <c>'…'</c>, the
/// per-field messages are dropped, control characters are escaped.
/// </summary>
public static partial class JiraErrorText
{
    public const int MaxMessageLength = 200;
    private const int MaxKeys = 10;

    /// <summary>From the raw body; "" when it is empty or not JSON (a proxy's HTML page is not worth quoting).</summary>
    public static string FromBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return FromJson(document.RootElement);
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>From <c>{errorMessages:[…], errors:{field: message}, message}</c>.</summary>
    public static string FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "";
        }

        var keys = new List<string>();
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            keys.AddRange(errors.EnumerateObject().Select(e => e.Name).Where(IsSafeKey).Distinct(StringComparer.Ordinal).Take(MaxKeys));
        }

        var messages = new List<string>();
        if (root.TryGetProperty("errorMessages", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            messages.AddRange(list.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!));
        }

        if (messages.Count == 0 && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
        {
            messages.Add(message.GetString()!);
        }

        var parts = new List<string>();
        if (keys.Count > 0)
        {
            parts.Add("errors in " + string.Join(", ", keys));
        }

        var safe = Message(string.Join(" ", messages));
        if (safe.Length > 0)
        {
            parts.Add(safe);
        }

        return string.Join("; ", parts);
    }

    /// <summary>A message without quoted values or control characters, whitespace collapsed, at most <see cref="MaxMessageLength"/> characters.</summary>
    public static string Message(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var bounded = text.Length > 4 * MaxMessageLength ? text[..(4 * MaxMessageLength)] : text;
        var withoutValues = Quoted().Replace(bounded, "'…'");
        var builder = new StringBuilder(withoutValues.Length);
        foreach (var c in withoutValues)
        {
            builder.Append(char.IsControl(c) || char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? ' ' : c);
        }

        var collapsed = Spaces().Replace(builder.ToString(), " ").Trim();
        return SafeText.Clean(collapsed, MaxMessageLength);
    }

    private static bool IsSafeKey(string key) => key.Length is > 0 and <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    // '…', "…", ‘…’, “…”, «…» and `…`: where Jira's messages put the values they echo.
    // An apostrophe inside a word (don't) opens nothing.
    [GeneratedRegex("""(?<![\p{L}\p{N}])'[^']*'(?![\p{L}\p{N}])|"[^"]*"|(?<![\p{L}\p{N}])‘[^’]*’(?![\p{L}\p{N}])|“[^”]*”|«[^»]*»|`[^`]*`""", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\s{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();
}
