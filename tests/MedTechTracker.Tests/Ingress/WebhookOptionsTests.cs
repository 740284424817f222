using System.ComponentModel.DataAnnotations;
using MedTechTracker.Ingress;

namespace MedTechTracker.Tests.Ingress;

public sealed class WebhookOptionsTests
{
    private static List<ValidationResult> Validate(WebhookOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Secret_is_required_and_the_error_names_Webhook_Secret()
    {
        var error = Assert.Single(Validate(new WebhookOptions()));

        Assert.Contains("Webhook:Secret", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsigned_mode_needs_no_secret()
    {
        Assert.Empty(Validate(new WebhookOptions { AllowUnsigned = true }));
    }

    [Fact]
    public void Default_body_limit_is_one_mebibyte()
    {
        Assert.Equal(1024 * 1024, new WebhookOptions().MaxBodyBytes);
    }

    [Fact]
    public void Out_of_range_body_limit_names_its_key()
    {
        var error = Assert.Single(Validate(new WebhookOptions { Secret = "s", MaxBodyBytes = 0 }));

        Assert.Contains("Webhook:MaxBodyBytes", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_never_shows_the_secrets()
    {
        var text = new WebhookOptions { Secret = "s3cr3t-primary", SecondarySecret = "s3cr3t-secondary" }.ToString();

        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
    }
}
