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
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

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
    public override string ToString() => $"WebhookOptions {{ Secret = {(string.IsNullOrEmpty(Secret) ? "<unset>" : "<set>")}, SecondarySecret = {(string.IsNullOrEmpty(SecondarySecret) ? "<unset>" : "<set>")}, AllowUnsigned = {AllowUnsigned}, MaxBodyBytes = {MaxBodyBytes} }}";
}
