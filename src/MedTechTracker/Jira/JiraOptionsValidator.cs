using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>BaseUrl must be an absolute http(s) URL and exactly one auth mode must be configured.</summary>
public sealed class JiraOptionsValidator : IValidateOptions<JiraOptions>
{
    public ValidateOptionsResult Validate(string? name, JiraOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            failures.Add("Jira:BaseUrl is required (e.g. https://your-site.atlassian.net).");
        }
        else if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Jira:BaseUrl must be an absolute http or https URL.");
        }

        var hasEmail = !string.IsNullOrWhiteSpace(options.Email);
        var hasApiToken = !string.IsNullOrWhiteSpace(options.ApiToken);
        var hasBearer = !string.IsNullOrWhiteSpace(options.BearerToken);
        if (hasBearer && (hasEmail || hasApiToken))
        {
            failures.Add("Jira:BearerToken and Jira:Email/Jira:ApiToken are both set; configure exactly one auth mode.");
        }
        else if (!hasBearer)
        {
            if (!hasEmail && !hasApiToken)
            {
                failures.Add("Jira:ApiToken (with Jira:Email) or Jira:BearerToken is required.");
            }
            else if (!hasApiToken)
            {
                failures.Add("Jira:ApiToken is required when Jira:Email is set.");
            }
            else if (!hasEmail)
            {
                failures.Add("Jira:Email is required when Jira:ApiToken is set.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
