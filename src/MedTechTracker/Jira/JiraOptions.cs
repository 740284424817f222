using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Jira;

/// <summary>
/// Section "Jira": where Jira Cloud is and how the bot authenticates. Exactly one auth mode:
/// <see cref="Email"/> + <see cref="ApiToken"/> (Basic; a scoped token goes through the gateway with <see cref="ScopedToken"/>),
/// <see cref="OAuth"/> client credentials (renewed tokens, through the gateway), or a fixed <see cref="BearerToken"/>.
/// </summary>
public sealed class JiraOptions
{
    public const string Section = "Jira";

    /// <summary>https://your-site.atlassian.net (or the gateway https://api.atlassian.com/ex/jira/{cloudId} itself).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The site's cloud id; when absent and the gateway is used, it is read once from {BaseUrl}/_edge/tenant_info.</summary>
    public string? CloudId { get; set; }

    /// <summary>The API gateway that OAuth and scoped-token traffic goes through ({GatewayUrl}/ex/jira/{cloudId}).</summary>
    public string GatewayUrl { get; set; } = "https://api.atlassian.com";

    /// <summary><see cref="ApiToken"/> is a scoped API token: Basic auth through the gateway instead of the site URL.</summary>
    public bool ScopedToken { get; set; }

    /// <summary>The bot's account id; when set, GET /myself (which needs read:jira-user) is never called.</summary>
    public string? BotAccountId { get; set; }

    public JiraOAuthOptions OAuth { get; set; } = new();

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

    /// <summary>How long one call may wait for a window Jira closed (429) before the caller defers the work instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Jira:RateLimitWaitBudget must be between 0 and 10 minutes.")]
    public TimeSpan RateLimitWaitBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>An answer slower than this makes the governor lower its concurrency by a quarter instead of raising it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Jira:SlowAnswer must be between 100 ms and 10 minutes.")]
    public TimeSpan SlowAnswer { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound of concurrent Jira calls of this process; the governor adapts below it (AIMD).</summary>
    [Range(1, 256, ErrorMessage = "Jira:MaxConcurrency must be between 1 and 256.")]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>How long a project's create screen and the bot's visibility of a project are cached.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Jira:ProjectCheckCacheDuration must be between 0 and 1 day.")]
    public TimeSpan ProjectCheckCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    internal bool UsesBearer => !string.IsNullOrWhiteSpace(BearerToken);

    internal bool UsesOAuth => OAuth.IsConfigured;

    internal bool UsesGateway => UsesOAuth || ScopedToken;

    /// <summary>Never prints a secret.</summary>
    public override string ToString() =>
        $"JiraOptions {{ BaseUrl = {BaseUrl}, Auth = {(UsesOAuth ? "OAuth" : UsesBearer ? "Bearer" : ScopedToken ? "Basic (scoped token)" : "Basic")}, Email = {(string.IsNullOrEmpty(Email) ? "" : "(set)")} }}";
}
