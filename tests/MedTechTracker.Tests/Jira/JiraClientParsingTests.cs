using MedTechTracker.Jira;

namespace MedTechTracker.Tests.Jira;

public sealed class JiraClientParsingTests
{
    [Theory]
    [InlineData("2024-01-15T10:30:00.000+0100", "2024-01-15T10:30:00+01:00")]
    [InlineData("2024-01-15T10:30:00.000-0530", "2024-01-15T10:30:00-05:30")]
    [InlineData("2024-01-15T10:30:00.000+01:00", "2024-01-15T10:30:00+01:00")]
    [InlineData("2024-01-15T10:30:00Z", "2024-01-15T10:30:00+00:00")]
    public void Jira_dates_with_or_without_a_colon_in_the_offset_are_parsed(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), JiraClient.ParseJiraDate(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    public void Unreadable_dates_give_null(string? text)
    {
        Assert.Null(JiraClient.ParseJiraDate(text));
    }

    [Fact]
    public void Error_text_keeps_error_keys_and_messages_but_not_per_field_messages()
    {
        var text = JiraClient.ErrorText("""{"errorMessages":["First.","Second."],"errors":{"summary":"You must specify a summary of the issue."}}""");

        Assert.Equal("errors in summary; First. Second.", text);
    }

    [Fact]
    public void Error_text_of_a_non_json_body_is_empty()
    {
        Assert.Equal("", JiraClient.ErrorText("<html><body>Bad gateway</body></html>"));
    }

    [Fact]
    public void Error_text_is_shortened()
    {
        var text = JiraClient.ErrorText($$"""{"errorMessages":["{{new string('x', 5000)}}"]}""");

        Assert.True(text.Length <= JiraErrorText.MaxMessageLength + 1);
    }

    [Fact]
    public void Error_text_with_terminal_escapes_and_echoed_values_keeps_neither()
    {
        // JSON escapes (\u001b) arrive in Jira's text as real ESC, BEL, CR and LF characters.
        var text = JiraClient.ErrorText("""{"errorMessages":["Option value 'CANARY-secret\u001b]0;pwned\u0007' is not valid.\u001b[2J\r\nDone","You don't have 'CANARY-2' here"],"errors":{"customfield_10010":"CANARY-3 is wrong","bad key\u001b":"x"}}""");

        Assert.Equal("errors in customfield_10010; Option value '…' is not valid. [2J Done You don't have '…' here", text);
        Assert.DoesNotContain("CANARY", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text, char.IsControl);
    }

    [Fact]
    public void Call_operations_are_named_for_metrics_without_keys_or_text()
    {
        Assert.Equal("issue.get", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Get, "https://x/rest/api/3/issue/MED-1?fields=summary")));
        Assert.Equal("issue.bulk", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Post, "https://x/rest/api/3/issue/bulk")));
        Assert.Equal("createmeta", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Get, "https://x/rest/api/3/issue/createmeta/MED/issuetypes")));
        Assert.Equal("search", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Post, "https://x/rest/api/3/search/jql")));
        Assert.Equal("search.count", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Post, "https://x/rest/api/3/search/approximate-count")));
        Assert.Equal("project.search", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Get, "https://x/rest/api/3/project/search?startAt=0")));
        Assert.Equal("myself", JiraCallMetricsHandler.OperationOf(new HttpRequestMessage(HttpMethod.Get, "https://x/rest/api/3/myself")));
    }
}
