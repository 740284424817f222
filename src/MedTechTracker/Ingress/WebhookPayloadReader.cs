using System.Text.Json;
using MedTechTracker.Storage;

namespace MedTechTracker.Ingress;

/// <summary>
/// Reads the routing fields of a Jira webhook with a forward-only <see cref="Utf8JsonReader"/>: every other
/// value (summary, description, custom fields, a changelog's <c>from</c>/<c>to</c> values) is skipped without being materialised.
/// </summary>
public static class WebhookPayloadReader
{
    public const string IssueCreatedEvent = "jira:issue_created";
    public const string IssueUpdatedEvent = "jira:issue_updated";

    /// <summary>
    /// The <c>issue_event_type_name</c>s of a <c>jira:issue_updated</c> that can be an edit: Cloud sends <c>issue_updated</c>
    /// or <c>issue_generic</c>, and <c>issue_moved</c> for a move. Comments, worklogs and assignments have types of their own.
    /// </summary>
    public static readonly IReadOnlySet<string> UpdateEventTypes = new HashSet<string>(StringComparer.Ordinal) { "issue_updated", "issue_generic", "issue_moved" };

    // Field ids whose change can change what the rules say (match on fieldId; the display name only when there is none).
    private static readonly string[] RuleFieldIds = ["summary", "description", "issuetype"];
    private static readonly string[] MoveFieldIds = ["project", "issuekey"];
    private static readonly string[] MoveFieldNames = ["project", "Key"];

    // Jira keys and ids are short; anything longer is not a key, and is rejected before a string is allocated.
    private const int MaxIdentifierBytes = 255;

    // Unix milliseconds from 2000 to 9999: anything else is not a Jira event time.
    private const long MinTimestamp = 946_684_800_000;
    private const long MaxTimestamp = 253_402_300_799_999;

    public static WebhookPayload Read(ReadOnlySpan<byte> json)
    {
        var payload = new WebhookPayload();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read())
            {
                return Fail(payload, "The body is empty.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(payload, "The body is not a JSON object.");
            }

            ReadRoot(ref reader, payload);
            if (reader.Read())
            {
                return Fail(payload, "The body has content after the JSON object.");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            // The exception message may quote the input, so it is deliberately not used.
            return Fail(payload, "The body is not valid JSON.");
        }

        payload.Error ??= Validate(payload);
        return payload;
    }

    private static string? Validate(WebhookPayload payload)
    {
        if (!payload.HasEvent)
        {
            return "webhookEvent is missing.";
        }

        if (!payload.IsIssueCreated && !payload.IsRelevantUpdate)
        {
            return null; // Other events (and edits no rule can see) are acknowledged and ignored; their shape is not our concern.
        }

        if (payload.Timestamp is null)
        {
            return "timestamp is missing or not a time in Unix milliseconds.";
        }

        if (payload.IssueId is null)
        {
            return "issue.id is missing.";
        }

        if (payload.IssueKey is null)
        {
            return "issue.key is missing.";
        }

        if (payload.ProjectKey is null)
        {
            return "issue.fields.project.key is missing.";
        }

        if (!IsIssueId(payload.IssueId))
        {
            return "issue.id is not a Jira issue id.";
        }

        if (!ProjectKey.IsValidIssueKey(payload.IssueKey))
        {
            return "issue.key is not a Jira issue key.";
        }

        return ProjectKey.IsValid(payload.ProjectKey) ? null : "issue.fields.project.key is not a Jira project key.";
    }

    private static void ReadRoot(ref Utf8JsonReader reader, WebhookPayload payload)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("webhookEvent"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    payload.HasEvent = true;
                    payload.IsIssueCreated = reader.ValueTextEquals(IssueCreatedEvent);
                    payload.IsIssueUpdated = reader.ValueTextEquals(IssueUpdatedEvent);
                    payload.Event = reader.ValueSpan.Length <= MaxIdentifierBytes ? reader.GetString() : null;
                }
                else
                {
                    reader.Skip();
                    payload.Error ??= "webhookEvent is not a string.";
                }
            }
            else if (reader.ValueTextEquals("issue_event_type_name"u8))
            {
                reader.Read();
                payload.EventTypeName = ReadIdentifier(ref reader);
            }
            else if (reader.ValueTextEquals("changelog"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadChangelog(ref reader, payload);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                payload.Timestamp = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms) && ms is >= MinTimestamp and <= MaxTimestamp
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                    : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("user"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadUser(ref reader, payload);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("issue"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadIssue(ref reader, payload);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadUser(ref Utf8JsonReader reader, WebhookPayload payload)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Atlassian's own example payload spells it "accoundId".
            if (reader.ValueTextEquals("accountId"u8) || reader.ValueTextEquals("accoundId"u8))
            {
                reader.Read();
                var value = ReadIdentifier(ref reader);
                if (!string.IsNullOrEmpty(value))
                {
                    payload.UserAccountId = value;
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadChangelog(ref Utf8JsonReader reader, WebhookPayload payload)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                payload.ChangelogId = ReadIdentifier(ref reader, allowNumber: true);
            }
            else if (reader.ValueTextEquals("items"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadChangeItem(ref reader, payload);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>One changelog item: only its field id, field name and field type are looked at; <c>fromString</c>/<c>toString</c> are issue text and are skipped unread.</summary>
    private static void ReadChangeItem(ref Utf8JsonReader reader, WebhookPayload payload)
    {
        string? fieldId = null;
        string? field = null;
        var custom = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("fieldId"u8))
            {
                reader.Read();
                fieldId = ReadIdentifier(ref reader);
            }
            else if (reader.ValueTextEquals("field"u8))
            {
                reader.Read();
                field = ReadIdentifier(ref reader);
            }
            else if (reader.ValueTextEquals("fieldtype"u8))
            {
                reader.Read();
                custom = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("custom"u8);
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        if (!string.IsNullOrEmpty(fieldId))
        {
            payload.ChangesRuleFields |= RuleFieldIds.Contains(fieldId, StringComparer.Ordinal);
            payload.MovedProject |= MoveFieldIds.Contains(fieldId, StringComparer.Ordinal);
        }
        else if (!string.IsNullOrEmpty(field) && !custom)
        {
            // Older payloads (and Data Center) carry only the field's name; a custom field may share a system field's name.
            payload.ChangesRuleFields |= RuleFieldIds.Contains(field, StringComparer.OrdinalIgnoreCase);
            payload.MovedProject |= MoveFieldNames.Contains(field, StringComparer.Ordinal);
        }
    }

    private static void ReadIssue(ref Utf8JsonReader reader, WebhookPayload payload)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                payload.IssueId = ReadIdentifier(ref reader, allowNumber: true);
            }
            else if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                payload.IssueKey = ReadIdentifier(ref reader);
            }
            else if (reader.ValueTextEquals("fields"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadFields(ref reader, payload);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadFields(ref Utf8JsonReader reader, WebhookPayload payload)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("project"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadObject(ref reader, payload, static (ref r, p) =>
                    {
                        if (r.ValueTextEquals("key"u8))
                        {
                            r.Read();
                            p.ProjectKey = ReadIdentifier(ref r);
                            return true;
                        }

                        return false;
                    });
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("issuetype"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadObject(ref reader, payload, static (ref r, p) =>
                    {
                        if (r.ValueTextEquals("subtask"u8))
                        {
                            r.Read();
                            p.IsSubtask |= r.TokenType == JsonTokenType.True;
                            r.Skip();
                            return true;
                        }

                        if (r.ValueTextEquals("hierarchyLevel"u8))
                        {
                            r.Read();
                            p.IsSubtask |= r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var level) && level == -1;
                            r.Skip();
                            return true;
                        }

                        return false;
                    });
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private delegate bool PropertyHandler(ref Utf8JsonReader reader, WebhookPayload payload);

    /// <summary>Walks one object's properties; the handler consumes the ones it knows (returns true), the rest are skipped.</summary>
    private static void ReadObject(ref Utf8JsonReader reader, WebhookPayload payload, PropertyHandler handler)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!handler(ref reader, payload))
            {
                reader.Skip();
            }
        }
    }

    /// <summary>A short string (or, for ids, an integer); null when JSON null, empty for anything else. Leaves the reader on the value's last token.</summary>
    private static string? ReadIdentifier(ref Utf8JsonReader reader, bool allowNumber = false)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueSpan.Length <= MaxIdentifierBytes:
                return reader.GetString();
            case JsonTokenType.Number when allowNumber && reader.TryGetInt64(out var number) && number >= 0:
                return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case JsonTokenType.Null:
                return null;
            default:
                // Present but unusable: an empty string fails every key check, so the reason says "not a key", not "missing".
                reader.Skip();
                return string.Empty;
        }
    }

    internal static bool IsIssueId(string value) => value.Length is > 0 and <= 19 && value.All(char.IsAsciiDigit);

    private static WebhookPayload Fail(WebhookPayload payload, string reason)
    {
        payload.Error = reason;
        return payload;
    }
}
