namespace MedTechTracker.Ingress;

/// <summary>
/// Only what routing needs from a Jira webhook body. Summary and description are never read,
/// so issue text cannot travel further than the request buffer.
/// </summary>
public sealed class WebhookPayload
{
    /// <summary>Why the body is not a usable webhook (names the field, never echoes its content); null when usable.</summary>
    public string? Error { get; internal set; }

    public bool HasEvent { get; internal set; }

    /// <summary>The event name (<c>webhookEvent</c>), when it is a short string.</summary>
    public string? Event { get; internal set; }

    /// <summary>When Jira says the event happened (<c>timestamp</c>, Unix milliseconds); null when absent or not a number.</summary>
    public DateTimeOffset? Timestamp { get; internal set; }

    public bool IsIssueCreated { get; internal set; }

    public string? UserAccountId { get; internal set; }

    public string? IssueId { get; internal set; }

    public string? IssueKey { get; internal set; }

    public string? ProjectKey { get; internal set; }

    public bool IsSubtask { get; internal set; }
}
