namespace MedTechTracker.Queue;

/// <summary>
/// What travels on the queue: a reference to an issue, never its text.
/// <paramref name="MessageId"/> is the webhook id (X-Atlassian-Webhook-Identifier), the duplicate-detection key.
/// </summary>
public sealed record IssueReference(
    string MessageId,
    string IssueId,
    string IssueKey,
    string ProjectKey,
    DateTimeOffset ReceivedAt,
    string? TraceParent = null,
    string? TraceState = null);
