namespace MedTechTracker.Queue;

/// <summary>
/// What travels on the queue: a reference to an issue, never its text.
/// <paramref name="MessageId"/> is the webhook id (X-Atlassian-Webhook-Identifier), the duplicate-detection key.
/// <paramref name="Coalesce"/> is a hint to the queue at enqueue time, not part of the message: when a message of the same
/// issue is already waiting (not being processed), this one adds nothing, because the waiting one will read the issue fresh
/// from Jira anyway. Edits set it, so a burst of edits to one issue leaves at most one message waiting.
/// </summary>
public sealed record IssueReference(
    string MessageId,
    string IssueId,
    string IssueKey,
    string ProjectKey,
    DateTimeOffset ReceivedAt,
    string? TraceParent = null,
    string? TraceState = null,
    [property: System.Text.Json.Serialization.JsonIgnore] bool Coalesce = false);
