namespace MedTechTracker.Jira;

/// <summary>What the rate governor knows right now (for /readyz, metrics and the admin page).</summary>
public sealed record JiraRateState(DateTimeOffset? PausedUntil, string? Reason, int ConcurrencyLimit, int InFlight, bool NearLimit, long Throttled);
