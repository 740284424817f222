using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>BaseUrl must be an absolute http(s) URL and exactly one auth mode must be configured.</summary>
public sealed class JiraOptionsValidator : IValidateOptions<JiraOptions>
{
    public ValidateOptionsResult Validate(string? name, JiraOptions options)
    {
        var failures = new List<string>();
        RequireUrl(failures, "Jira:BaseUrl", options.BaseUrl, "https://your-site.atlassian.net");

        var hasEmail = !string.IsNullOrWhiteSpace(options.Email);
        var hasApiToken = !string.IsNullOrWhiteSpace(options.ApiToken);
        var hasBearer = !string.IsNullOrWhiteSpace(options.BearerToken);
        var hasOAuth = options.UsesOAuth;
        var modes = (hasEmail || hasApiToken ? 1 : 0) + (hasBearer ? 1 : 0) + (hasOAuth ? 1 : 0);
        if (modes > 1)
        {
            failures.Add("More than one of Jira:Email/Jira:ApiToken, Jira:BearerToken and Jira:OAuth:ClientId/ClientSecret is set; configure exactly one auth mode.");
        }
        else if (modes == 0)
        {
            failures.Add("Jira:ApiToken (with Jira:Email), Jira:OAuth:ClientId (with Jira:OAuth:ClientSecret) or Jira:BearerToken is required.");
        }
        else if (hasOAuth)
        {
            if (string.IsNullOrWhiteSpace(options.OAuth.ClientId))
            {
                failures.Add("Jira:OAuth:ClientId is required when Jira:OAuth:ClientSecret is set.");
            }

            if (string.IsNullOrWhiteSpace(options.OAuth.ClientSecret))
            {
                failures.Add("Jira:OAuth:ClientSecret is required when Jira:OAuth:ClientId is set.");
            }

            RequireUrl(failures, "Jira:OAuth:TokenUrl", options.OAuth.TokenUrl, JiraOAuthOptions.DefaultTokenUrl);
        }
        else if (!hasBearer)
        {
            if (!hasApiToken)
            {
                failures.Add("Jira:ApiToken is required when Jira:Email is set.");
            }
            else if (!hasEmail)
            {
                failures.Add("Jira:Email is required when Jira:ApiToken is set.");
            }
        }

        if (options.ScopedToken && (hasBearer || hasOAuth))
        {
            failures.Add("Jira:ScopedToken applies to Jira:ApiToken only.");
        }

        if (options.UsesGateway)
        {
            RequireUrl(failures, "Jira:GatewayUrl", options.GatewayUrl, "https://api.atlassian.com");
        }

        if (options.CloudId is { } cloudId && (cloudId.Length == 0 || !cloudId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            failures.Add("Jira:CloudId must be the site's cloud id (letters, digits and '-').");
        }

        if (options.RateLimitWaitBudget >= options.TotalTimeout)
        {
            failures.Add("Jira:RateLimitWaitBudget must be shorter than Jira:TotalTimeout.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireUrl(List<string> failures, string key, string? value, string example)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} is required (e.g. {example}).");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{key} must be an absolute http or https URL.");
        }
    }
}
