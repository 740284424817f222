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
    public void Error_text_joins_error_messages_and_field_errors()
    {
        var text = JiraClient.ErrorText("""{"errorMessages":["First.","Second."],"errors":{"summary":"You must specify a summary of the issue."}}""");

        Assert.Equal("First.; Second.; summary: You must specify a summary of the issue.", text);
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

        Assert.True(text.Length <= 1001);
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
