using System.Text;
using MedTechTracker.Ingress;

namespace MedTechTracker.Tests.Ingress;

public sealed class WebhookPayloadReaderTests
{
    private const string Created = """
        {"timestamp":1763800000000,"webhookEvent":"jira:issue_created","user":{"accountId":"557058:ada"},
         "issue":{"id":"10042","self":"https://x.atlassian.net/rest/api/2/issue/10042","key":"MED-42",
          "fields":{"summary":"Dose calculation","description":{"type":"doc","version":1,"content":[]},
           "issuetype":{"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
           "project":{"id":"10000","key":"MED","name":"Pump"},"labels":["a"],"subtasks":[]}}}
        """;

    private static WebhookPayload Read(string json) => WebhookPayloadReader.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Issue_created_webhook_yields_the_routing_fields()
    {
        var payload = Read(Created);

        Assert.Null(payload.Error);
        Assert.True(payload.IsIssueCreated);
        Assert.False(payload.IsSubtask);
        Assert.Equal(("10042", "MED-42", "MED", "557058:ada"), (payload.IssueId, payload.IssueKey, payload.ProjectKey, payload.UserAccountId));
    }

    [Fact]
    public void Numeric_issue_id_is_accepted()
    {
        Assert.Equal("10042", Read(Created.Replace("\"id\":\"10042\"", "\"id\":10042", StringComparison.Ordinal)).IssueId);
    }

    [Fact]
    public void Misspelt_accoundId_is_read_too()
    {
        Assert.Equal("557058:ada", Read(Created.Replace("accountId", "accoundId", StringComparison.Ordinal)).UserAccountId);
    }

    [Theory]
    [InlineData("\"subtask\":false", "\"subtask\":true")]
    [InlineData("\"hierarchyLevel\":0", "\"hierarchyLevel\":-1")]
    public void Sub_tasks_are_recognised_by_flag_or_hierarchy_level(string from, string to)
    {
        Assert.True(Read(Created.Replace(from, to, StringComparison.Ordinal)).IsSubtask);
    }

    [Theory]
    [InlineData("\"id\":\"10042\",", "issue.id is missing.")]
    [InlineData("\"key\":\"MED-42\",", "issue.key is missing.")]
    [InlineData("\"key\":\"MED\",", "issue.fields.project.key is missing.")]
    [InlineData("\"webhookEvent\":\"jira:issue_created\",", "webhookEvent is missing.")]
    public void Missing_required_field_is_named(string removed, string reason)
    {
        Assert.Equal(reason, Read(Created.Replace(removed, "", StringComparison.Ordinal)).Error);
    }

    [Theory]
    [InlineData("\"key\":\"MED-42\"", "\"key\":\"MED 42\"", "issue.key is not a Jira issue key.")]
    [InlineData("\"key\":\"MED-42\"", "\"key\":42", "issue.key is not a Jira issue key.")]
    [InlineData("\"id\":\"10042\"", "\"id\":\"ten\"", "issue.id is not a Jira issue id.")]
    [InlineData("\"key\":\"MED\"", "\"key\":\"M-D\"", "issue.fields.project.key is not a Jira project key.")]
    public void Malformed_identifiers_are_named_without_their_value(string from, string to, string reason)
    {
        Assert.Equal(reason, Read(Created.Replace(from, to, StringComparison.Ordinal)).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{\"webhookEvent\":")]
    [InlineData("{\"webhookEvent\":\"jira:issue_created\"} {}")]
    [InlineData("{'webhookEvent':'jira:issue_created'}")]
    [InlineData("{\"a\":1,}")]
    public void Bodies_that_are_not_one_JSON_object_are_errors(string json)
    {
        Assert.NotNull(Read(json).Error);
    }

    [Fact]
    public void Other_events_need_no_issue()
    {
        var payload = Read("""{"webhookEvent":"jira:issue_updated"}""");

        Assert.Null(payload.Error);
        Assert.False(payload.IsIssueCreated);
    }

    [Fact]
    public void Error_reasons_never_echo_the_body()
    {
        const string canary = "CANARY-6ab1";
        var reasons = new[]
        {
            Read(Created.Replace("Dose calculation", canary, StringComparison.Ordinal)[..80]).Error,
            Read(Created.Replace("\"key\":\"MED-42\"", $"\"key\":\"{canary}\"", StringComparison.Ordinal)).Error,
            Read(Created.Replace("\"id\":\"10042\"", $"\"id\":\"{canary}\"", StringComparison.Ordinal)).Error,
        };

        Assert.All(reasons, reason => Assert.DoesNotContain(canary, reason ?? "(none)", StringComparison.Ordinal));
        Assert.All(reasons, Assert.NotNull);
    }

    [Fact]
    public void Deeply_nested_bodies_are_an_error_not_a_crash()
    {
        Assert.Equal("The body is not valid JSON.", Read(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)).Error);
    }
}
