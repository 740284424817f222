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

    /// <summary><c>jira:issue_updated</c>.</summary>
    public bool IsIssueUpdated { get; internal set; }

    /// <summary><c>issue_event_type_name</c> when it is a short string (Cloud sends <c>issue_updated</c> or <c>issue_generic</c> for edits).</summary>
    public string? EventTypeName { get; internal set; }

    /// <summary><c>changelog.id</c>: identifies one edit, so a replay of it is recognised whatever its webhook id.</summary>
    public string? ChangelogId { get; internal set; }

    /// <summary>A <c>changelog.items</c> entry changes a field a rule reads: summary, description or issue type.</summary>
    public bool ChangesRuleFields { get; internal set; }

    /// <summary>A <c>changelog.items</c> entry says the issue moved project (<c>project</c> or <c>Key</c>).</summary>
    public bool MovedProject { get; internal set; }

    /// <summary>An update worth planning again: an edit of a rule's field or a move, reported as an edit event type.</summary>
    public bool IsRelevantUpdate => IsIssueUpdated && (ChangesRuleFields || MovedProject)
        && (EventTypeName is null || WebhookPayloadReader.UpdateEventTypes.Contains(EventTypeName));

    public string? UserAccountId { get; internal set; }

    public string? IssueId { get; internal set; }

    public string? IssueKey { get; internal set; }

    public string? ProjectKey { get; internal set; }

    public bool IsSubtask { get; internal set; }
}
