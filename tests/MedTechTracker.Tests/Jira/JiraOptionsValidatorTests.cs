using MedTechTracker.Jira;

namespace MedTechTracker.Tests.Jira;

public sealed class JiraOptionsValidatorTests
{
    private static readonly JiraOptionsValidator Validator = new();

    [Fact]
    public void Basic_auth_with_an_https_url_is_valid()
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = "https://acme.atlassian.net", Email = "bot@acme.test", ApiToken = "t" });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Bearer_auth_alone_is_valid()
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = "https://api.atlassian.com/ex/jira/abc", BearerToken = "b" });

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_base_url_names_the_key(string? baseUrl)
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = baseUrl, Email = "e", ApiToken = "t" });

        Assert.True(result.Failed);
        Assert.Contains("Jira:BaseUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acme.atlassian.net")]
    [InlineData("/relative/path")]
    [InlineData("ftp://acme.atlassian.net")]
    [InlineData("file:///etc/passwd")]
    public void Base_url_that_is_not_absolute_http_names_the_key(string baseUrl)
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = baseUrl, Email = "e", ApiToken = "t" });

        Assert.True(result.Failed);
        Assert.Contains("Jira:BaseUrl must be an absolute http or https URL", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void No_auth_at_all_names_the_api_token_and_bearer_keys()
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = "https://acme.atlassian.net" });

        Assert.True(result.Failed);
        Assert.Contains("Jira:ApiToken", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Jira:BearerToken", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Email_without_api_token_names_the_api_token_key()
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = "https://acme.atlassian.net", Email = "bot@acme.test" });

        Assert.Contains("Jira:ApiToken is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_token_without_email_names_the_email_key()
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = "https://acme.atlassian.net", ApiToken = "t" });

        Assert.Contains("Jira:Email is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_auth_modes_at_once_are_refused()
    {
        var result = Validator.Validate(null, new JiraOptions { BaseUrl = "https://acme.atlassian.net", Email = "e", ApiToken = "t", BearerToken = "b" });

        Assert.True(result.Failed);
        Assert.Contains("exactly one auth mode", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_messages_and_to_string_never_show_secrets()
    {
        var options = new JiraOptions { BaseUrl = "https://acme.atlassian.net", Email = "bot@acme.test", ApiToken = "api-secret-1", BearerToken = "bearer-secret-2" };

        var result = Validator.Validate(null, options);

        Assert.DoesNotContain("secret", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("bot@acme.test", options.ToString(), StringComparison.Ordinal);
    }
}
