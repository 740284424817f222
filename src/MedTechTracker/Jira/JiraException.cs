namespace MedTechTracker.Jira;

/// <summary>
/// A Jira call that failed after the resilience pipeline gave up. The message names the call, the status
/// and Jira's error text (field errors), never an issue's summary or description.
/// </summary>
public sealed class JiraException(string message, int? statusCode, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;

    /// <summary>True when retrying cannot help (400 with field errors, 401/403, no sub-task type).</summary>
    public bool Permanent { get; } = permanent;

    /// <summary>True when Jira refused a search page token (expired after about 7 days).</summary>
    public bool PageTokenExpired { get; init; }
}
