using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Jira;

/// <summary>Section "Jira:OAuth": OAuth 2.0 client credentials of an Atlassian service account.</summary>
public sealed class JiraOAuthOptions
{
    public const string DefaultTokenUrl = "https://auth.atlassian.com/oauth/token";

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string TokenUrl { get; set; } = DefaultTokenUrl;

    /// <summary>A token is renewed this long before it expires (at most a quarter of its lifetime).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00", ErrorMessage = "Jira:OAuth:RefreshBefore must be between 0 and 30 minutes.")]
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(5);

    internal bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(ClientSecret);

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"JiraOAuthOptions {{ ClientId = {ClientId}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "" : "(set)")}, TokenUrl = {TokenUrl} }}";
}
