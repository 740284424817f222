using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Ingress;

/// <summary>Section "Webhook": how incoming Jira webhooks are authenticated and bounded.</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhook";

    /// <summary>The secret Jira signs webhooks with (X-Hub-Signature). Required unless <see cref="AllowUnsigned"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>A second accepted secret, so the secret can be rotated without dropping webhooks.</summary>
    public string? SecondarySecret { get; set; }

    /// <summary>Accept webhooks without a signature. For local experiments only; logged as a warning at start-up.</summary>
    public bool AllowUnsigned { get; set; }

    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "Webhook:MaxBodyBytes must be between 1024 and 67108864.")]
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    public const int DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// How old (by the payload's <c>timestamp</c>) an issue_created webhook may be. Atlassian documents that retried
    /// webhooks can arrive up to 30 minutes late ("subject to change"); one hour accepts every documented retry with
    /// room for a schedule change, and refuses a captured body replayed later.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Webhook:FreshnessWindow must be between 00:01:00 and 7.00:00:00.")]
    public TimeSpan FreshnessWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far in the future a timestamp may be (clock skew between Jira and this host).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Webhook:MaxClockSkew must be between 00:00:00 and 01:00:00.")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many (event, issue) pairs the replay guard remembers for the freshness window; the oldest go first.</summary>
    [Range(1000, 10_000_000, ErrorMessage = "Webhook:ReplayMemory must be between 1000 and 10000000.")]
    public int ReplayMemory { get; set; } = 100_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!AllowUnsigned && string.IsNullOrEmpty(Secret))
        {
            yield return new ValidationResult(
                "Webhook:Secret is required (the secret configured on the Jira webhook); set Webhook:AllowUnsigned=true only for local experiments.",
                [nameof(Secret)]);
        }

        if (string.IsNullOrEmpty(Secret) && !string.IsNullOrEmpty(SecondarySecret))
        {
            yield return new ValidationResult("Webhook:SecondarySecret is set but Webhook:Secret is not.", [nameof(SecondarySecret)]);
        }
    }

    // Secrets must never reach a log line, even through an accidental ToString().
    public override string ToString() => $"WebhookOptions {{ Secret = {(string.IsNullOrEmpty(Secret) ? "<unset>" : "<set>")}, SecondarySecret = {(string.IsNullOrEmpty(SecondarySecret) ? "<unset>" : "<set>")}, AllowUnsigned = {AllowUnsigned}, MaxBodyBytes = {MaxBodyBytes}, FreshnessWindow = {FreshnessWindow} }}";
}
