namespace MedTechTracker.Jira;

/// <summary>
/// Jira closed its rate window for longer than the caller's wait budget. Not a failure: the worker defers the message
/// until <see cref="Until"/> and the backfill pauses until then.
/// </summary>
public sealed class JiraRateLimitedException(DateTimeOffset until, string? reason)
    : Exception($"Jira's rate limit ({reason ?? "unspecified"}) is closed until {until:O}.")
{
    public DateTimeOffset Until { get; } = until;

    /// <summary>Jira's <c>RateLimit-Reason</c> (e.g. <c>jira-quota-tenant-based</c>), when it sent one.</summary>
    public string? Reason { get; } = reason;
}
