using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Jira;

/// <summary>
/// Section "Jira": where Jira is and how the bot authenticates. Exactly one auth mode:
/// <see cref="Email"/> + <see cref="ApiToken"/> (Basic) or <see cref="BearerToken"/> (OAuth service account or Data Center PAT).
/// </summary>
public sealed class JiraOptions
{
    public const string Section = "Jira";

    /// <summary>https://your-site.atlassian.net, or https://api.atlassian.com/ex/jira/{cloudId} for OAuth.</summary>
    public string? BaseUrl { get; set; }

    public string? Email { get; set; }

    public string? ApiToken { get; set; }

    public string? BearerToken { get; set; }

    /// <summary>Time-out of one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Jira:AttemptTimeout must be between 50 ms and 10 minutes.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time-out of one call including every retry and back-off.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Jira:TotalTimeout must be between 100 ms and 1 hour.")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per call, the first one included.</summary>
    [Range(1, 20, ErrorMessage = "Jira:RetryMaxAttempts must be between 1 and 20.")]
    public int RetryMaxAttempts { get; set; } = 6;

    /// <summary>First back-off step; doubles per attempt, jittered.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Jira:RetryBaseDelay must be between 0 and 1 minute.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the computed back-off (a longer Retry-After is still honoured).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Jira:RetryMaxDelay must be between 0 and 10 minutes.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra rounds for bulk-create items Jira reported as transiently failed (429/5xx per item).</summary>
    [Range(0, 10, ErrorMessage = "Jira:BulkItemRetries must be between 0 and 10.")]
    public int BulkItemRetries { get; set; } = 3;

    /// <summary>How long the project list (admin page) is cached.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Jira:ProjectCacheDuration must be between 0 and 1 day.")]
    public TimeSpan ProjectCacheDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a project's sub-task issue type id is cached (a project without one: ProjectCacheDuration).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Jira:IssueTypeCacheDuration must be between 0 and 7 days.")]
    public TimeSpan IssueTypeCacheDuration { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 5000, ErrorMessage = "Jira:SearchPageSize must be between 1 and 5000.")]
    public int SearchPageSize { get; set; } = 100;

    /// <summary>How long start-up waits for GET /myself before continuing and retrying in the background.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Jira:StartupIdentityTimeout must be between 0 and 5 minutes.")]
    public TimeSpan StartupIdentityTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal bool UsesBearer => !string.IsNullOrWhiteSpace(BearerToken);

    /// <summary>Never prints a secret.</summary>
    public override string ToString() =>
        $"JiraOptions {{ BaseUrl = {BaseUrl}, Auth = {(UsesBearer ? "Bearer" : "Basic")}, Email = {(string.IsNullOrEmpty(Email) ? "" : "(set)")} }}";
}
