using System.Text;
using MedTechTracker.Jira;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Jira;

public sealed class JiraClientReadTests : IDisposable
{
    private readonly WireMockServer _jira = WireMockServer.Start();

    public void Dispose() => _jira.Stop();

    [Fact]
    public async Task Basic_auth_sends_email_and_api_token()
    {
        StubMyself();
        await using var host = JiraTestHost.Create(_jira);

        var accountId = await host.Client.GetBotAccountIdAsync(CancellationToken.None);

        Assert.Equal("bot-account-1", accountId);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bot@example.com:secret-api-token"));
        Assert.Equal(expected, Assert.Single(_jira.LogEntries).RequestMessage!.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task Bearer_auth_sends_the_token()
    {
        StubMyself();
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?>
        {
            ["Jira:Email"] = null,
            ["Jira:ApiToken"] = null,
            ["Jira:BearerToken"] = "oauth-access-token",
        });

        await host.Client.GetBotAccountIdAsync(CancellationToken.None);

        Assert.Equal("Bearer oauth-access-token", Assert.Single(_jira.LogEntries).RequestMessage!.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task Base_url_with_a_path_prefix_is_kept_for_oauth_gateways()
    {
        _jira.Given(Request.Create().WithPath("/ex/jira/cloud-1/rest/api/3/myself").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"via-gateway"}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:BaseUrl"] = _jira.Url + "/ex/jira/cloud-1/" });

        Assert.Equal("via-gateway", await host.Client.GetBotAccountIdAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Get_issue_reads_the_adf_description_and_existing_subtasks()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-7").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(JiraSamples.IssueWithAdf));
        await using var host = JiraTestHost.Create(_jira);

        var issue = await host.Client.GetIssueAsync("MED-7", CancellationToken.None);

        Assert.NotNull(issue);
        Assert.Equal("MED-7", issue.Key);
        Assert.Equal("10042", issue.Id);
        Assert.Equal("MED", issue.ProjectKey);
        Assert.Equal("Story", issue.IssueType);
        Assert.False(issue.IsSubtask);
        Assert.Equal("Add insulin dose calculator", issue.Summary);
        Assert.Contains("The pump computes a bolus", issue.Description, StringComparison.Ordinal);
        Assert.Contains("alarm limits", issue.Description, StringComparison.Ordinal);
        Assert.Equal(["Compliance: Risk analysis (ISO 14971 5)"], issue.ExistingSubtaskSummaries);
        var query = Uri.UnescapeDataString(Assert.Single(_jira.LogEntries).RequestMessage!.RawQuery!);
        Assert.Equal("?fields=summary,description,issuetype,project,subtasks,parent&properties=medtech-compliance-tracker", query);

        // Asked for, but this answer carried no properties object: the worker then reads the record with a call of its own.
        Assert.Null(issue.Properties);
    }

    [Fact]
    public async Task Get_issue_brings_the_trackers_issue_property_with_it_and_an_unset_one_reads_as_empty()
    {
        var recordedJson = System.Text.Json.Nodes.JsonNode.Parse(JiraSamples.IssueWithAdf)!.AsObject();
        recordedJson["properties"] = System.Text.Json.Nodes.JsonNode.Parse("""{"medtech-compliance-tracker":{"version":1,"firedRules":["risk-analysis"]}}""");
        var unsetJson = System.Text.Json.Nodes.JsonNode.Parse(JiraSamples.IssueWithAdf)!.AsObject();
        unsetJson["key"] = "MED-8";
        unsetJson["properties"] = new System.Text.Json.Nodes.JsonObject();
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-7").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(recordedJson.ToJsonString()));
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-8").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(unsetJson.ToJsonString()));
        await using var host = JiraTestHost.Create(_jira);

        var recorded = await host.Client.GetIssueAsync("MED-7", CancellationToken.None);
        var unset = await host.Client.GetIssueAsync("MED-8", CancellationToken.None);

        Assert.Equal("""{"version":1,"firedRules":["risk-analysis"]}""", recorded!.Properties!["medtech-compliance-tracker"]);
        Assert.Empty(unset!.Properties!);
    }

    [Fact]
    public async Task Get_issue_with_deep_adf_within_the_limit_is_read()
    {
        StubIssue("MED-8", DeepIssue("MED-8", 400));
        await using var host = JiraTestHost.Create(_jira);

        var issue = await host.Client.GetIssueAsync("MED-8", CancellationToken.None);

        Assert.Equal("deep words", issue!.Description);
    }

    [Fact]
    public async Task Get_issue_nested_one_hundred_thousand_levels_deep_is_a_permanent_failure_for_that_issue()
    {
        StubIssue("MED-9", DeepIssue("MED-9", 100_000));
        await using var host = JiraTestHost.Create(_jira);

        var ex = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetIssueAsync("MED-9", CancellationToken.None));

        Assert.True(ex.Permanent);
        Assert.Contains("MED-9", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nested deeper than 1000 levels", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("deep words", ex.Message, StringComparison.Ordinal);
        Assert.Single(_jira.LogEntries);
    }

    private void StubIssue(string key, string body) =>
        _jira.Given(Request.Create().WithPath($"/rest/api/3/issue/{key}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

    private static string DeepIssue(string key, int depth)
    {
        var adf = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            adf.Append("""{"type":"blockquote","content":[""");
        }

        adf.Append("""{"type":"text","text":"deep words"}""");
        for (var i = 0; i < depth; i++)
        {
            adf.Append("]}");
        }

        return """{"id":"1","key":""" + "\"" + key + "\"" + ""","fields":{"summary":"s","description":""" + adf + ""","issuetype":{"name":"Bug"}}}""";
    }

    [Fact]
    public async Task Missing_issue_returns_null()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-404").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithBody("""{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}"""));
        await using var host = JiraTestHost.Create(_jira);

        Assert.Null(await host.Client.GetIssueAsync("MED-404", CancellationToken.None));
        Assert.Single(_jira.LogEntries);
    }

    [Fact]
    public async Task Forbidden_issue_is_a_permanent_error_naming_the_key_and_jiras_text()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-9").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(403).WithBody("""{"errorMessages":["You do not have the permission to see the specified issue."],"errors":{}}"""));
        await using var host = JiraTestHost.Create(_jira);

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetIssueAsync("MED-9", CancellationToken.None));

        Assert.True(error.Permanent);
        Assert.Equal(403, error.StatusCode);
        Assert.Contains("MED-9", error.Message, StringComparison.Ordinal);
        Assert.Contains("You do not have the permission to see the specified issue.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Createmeta_picks_the_subtask_type_by_flag_not_by_name_and_caches_it()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/createmeta/MED/issuetypes").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""
                {"startAt":0,"maxResults":50,"total":4,"issueTypes":[
                  {"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
                  {"id":"10002","name":"Sub-task","subtask":false,"hierarchyLevel":0},
                  {"id":"10009","name":"Unteraufgabe","subtask":true,"hierarchyLevel":-1},
                  {"id":"10000","name":"Epic","subtask":false,"hierarchyLevel":1}]}
                """));
        StubScreen("MED", "10009");
        await using var host = JiraTestHost.Create(_jira);

        Assert.Equal("10009", (await host.Client.GetSubtaskScreenAsync("MED", CancellationToken.None)).IssueTypeId);
        Assert.Equal("10009", (await host.Client.GetSubtaskScreenAsync("MED", CancellationToken.None)).IssueTypeId);
        Assert.Equal(2, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Createmeta_accepts_hierarchy_level_minus_one_on_a_later_page()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/createmeta/MED/issuetypes").WithParam("startAt", "0").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"startAt":0,"maxResults":1,"total":2,"issueTypes":[{"id":"1","name":"Task","hierarchyLevel":0}]}"""));
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/createmeta/MED/issuetypes").WithParam("startAt", "1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"startAt":1,"maxResults":1,"total":2,"issueTypes":[{"id":"7","name":"Sous-tâche","hierarchyLevel":-1}]}"""));
        StubScreen("MED", "7");
        await using var host = JiraTestHost.Create(_jira);

        Assert.Equal("7", (await host.Client.GetSubtaskScreenAsync("MED", CancellationToken.None)).IssueTypeId);
        Assert.Equal(3, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Project_without_a_subtask_type_gives_null_until_an_admin_adds_one()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/createmeta/TEAM/issuetypes").UsingGet()).InScenario("fix").WillSetStateTo("fixed")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"startAt":0,"maxResults":50,"total":1,"issueTypes":[{"id":"1","name":"Task","subtask":false}]}"""));
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/createmeta/TEAM/issuetypes").UsingGet()).InScenario("fix").WhenStateIs("fixed")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"startAt":0,"maxResults":50,"total":2,"issueTypes":[{"id":"1","name":"Task"},{"id":"5","name":"Subtask","subtask":true}]}"""));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = JiraTestHost.Create(_jira, time);

        StubScreen("TEAM", "5");

        Assert.Null((await host.Client.GetSubtaskScreenAsync("TEAM", CancellationToken.None)).IssueTypeId);
        Assert.NotNull((await host.Client.GetSubtaskScreenAsync("TEAM", CancellationToken.None)).Refusal);
        Assert.Single(_jira.LogEntries);

        time.Advance(TimeSpan.FromMinutes(3));

        var fixedScreen = await host.Client.GetSubtaskScreenAsync("TEAM", CancellationToken.None);
        Assert.Equal("5", fixedScreen.IssueTypeId);
        Assert.Null(fixedScreen.Refusal);
    }

    [Fact]
    public async Task Search_follows_next_page_tokens_and_parses_created()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost().WithBody(b => b is not null && !b.Contains("nextPageToken", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""
                {"issues":[
                  {"id":"1","key":"MED-1","fields":{"summary":"one","description":null,"issuetype":{"name":"Story","subtask":false},"subtasks":[{"key":"MED-3","fields":{"summary":"Compliance: x"}}],"created":"2024-01-15T10:30:00.000+0100"}},
                  {"id":"2","key":"MED-2","fields":{"summary":"two","description":"plain","issuetype":{"name":"Bug"},"subtasks":[],"created":"2024-01-16T08:00:00.000-0500"}}],
                 "nextPageToken":"page-2-token","isLast":false}
                """));
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost().WithBody(b => b is not null && b.Contains("\"nextPageToken\":\"page-2-token\"", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""
                {"issues":[{"id":"4","key":"MED-4","fields":{"summary":"four","issuetype":{"name":"Story"},"subtasks":[],"created":"2024-02-01T00:00:00.000+0000"}}],"isLast":true}
                """));
        await using var host = JiraTestHost.Create(_jira);

        var first = await host.Client.SearchAsync("project = MED ORDER BY created ASC", null, 2, CancellationToken.None);
        var second = await host.Client.SearchAsync("project = MED ORDER BY created ASC", first.NextPageToken, 2, CancellationToken.None);

        Assert.Equal("page-2-token", first.NextPageToken);
        Assert.Equal(["MED-1", "MED-2"], first.Issues.Select(i => i.Issue.Key));
        Assert.Equal(new DateTimeOffset(2024, 1, 15, 10, 30, 0, TimeSpan.FromHours(1)), first.Issues[0].Created);
        Assert.Equal(new DateTimeOffset(2024, 1, 16, 8, 0, 0, TimeSpan.FromHours(-5)), first.Issues[1].Created);
        Assert.Equal(["Compliance: x"], first.Issues[0].Issue.ExistingSubtaskSummaries);
        Assert.Equal("MED", first.Issues[0].Issue.ProjectKey);
        Assert.Null(second.NextPageToken);
        Assert.Equal("MED-4", Assert.Single(second.Issues).Issue.Key);

        var body = _jira.LogEntries.First().RequestMessage!.Body!;
        Assert.Contains("\"jql\":\"project = MED ORDER BY created ASC\"", body, StringComparison.Ordinal);
        Assert.Contains("\"fields\":[\"summary\",\"description\",\"issuetype\",\"subtasks\",\"created\"]", body, StringComparison.Ordinal);
        Assert.Contains("\"maxResults\":2", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_page_token_is_reported_as_such()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("""{"errorMessages":["The provided next page token is invalid or expired."],"errors":{}}"""));
        await using var host = JiraTestHost.Create(_jira);

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.SearchAsync("project = MED", "stale-token", 100, CancellationToken.None));

        Assert.True(error.PageTokenExpired);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("invalid or expired", error.Message, StringComparison.Ordinal);
        Assert.Single(_jira.LogEntries);
    }

    [Fact]
    public async Task Invalid_jql_is_permanent_but_not_a_page_token_problem()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("""{"errorMessages":["Field 'nonsense' does not exist or you do not have permission to view it."],"errors":{}}"""));
        await using var host = JiraTestHost.Create(_jira);

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.SearchAsync("nonsense = 1", null, 100, CancellationToken.None));

        Assert.False(error.PageTokenExpired);
        Assert.True(error.Permanent);
        Assert.Contains("Field '…' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approximate_count_returns_jiras_estimate()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/approximate-count").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"count":1234}"""));
        await using var host = JiraTestHost.Create(_jira);

        Assert.Equal(1234, await host.Client.ApproximateCountAsync("project = MED", CancellationToken.None));
        Assert.Equal("""{"jql":"project = MED"}""", Assert.Single(_jira.LogEntries).RequestMessage!.Body);
    }

    [Fact]
    public async Task Project_search_reads_every_page_and_caches_the_list_briefly()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/project/search").WithParam("startAt", "0").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"startAt":0,"maxResults":2,"total":3,"isLast":false,"values":[{"id":"1","key":"MED","name":"Medical"},{"id":"2","key":"PUMP","name":"Pump"}]}"""));
        _jira.Given(Request.Create().WithPath("/rest/api/3/project/search").WithParam("startAt", "2").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"startAt":2,"maxResults":2,"total":3,"isLast":true,"values":[{"id":"3","key":"OPS","name":"Operations"}]}"""));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = JiraTestHost.Create(_jira, time);

        var projects = await host.Client.ListProjectsAsync(CancellationToken.None);
        await host.Client.ListProjectsAsync(CancellationToken.None);
        Assert.Equal(2, _jira.LogEntries.Count());

        time.Advance(TimeSpan.FromMinutes(3));
        await host.Client.ListProjectsAsync(CancellationToken.None);

        Assert.Equal(["MED", "PUMP", "OPS"], projects.Select(p => p.Key));
        Assert.Equal("Operations", projects[2].Name);
        Assert.Equal(4, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Jira_errors_never_carry_the_issues_summary_or_description()
    {
        const string canary = "CANARY-7f3a9 secret patient text";
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody($$$"""{"fields":{"summary":"{{{canary}}}","description":"{{{canary}}}"}}"""));
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-2").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(502).WithBody($"<html><body>{canary}</body></html>"));
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody($$$"""{"issues":[{"id":"1","fields":{"summary":"{{{canary}}}","description":"{{{canary}}}"}}]}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:RetryMaxAttempts"] = "2" });

        var unreadable = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetIssueAsync("MED-1", CancellationToken.None));
        var gateway = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetIssueAsync("MED-2", CancellationToken.None));
        var search = await Assert.ThrowsAsync<JiraException>(() => host.Client.SearchAsync("project = MED", null, 10, CancellationToken.None));

        foreach (var error in new[] { unreadable, gateway, search })
        {
            Assert.DoesNotContain("CANARY", error.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("MED-1", unreadable.Message, StringComparison.Ordinal);
        Assert.Contains("MED-2", gateway.Message, StringComparison.Ordinal);
        Assert.False(gateway.Permanent);
    }

    private void StubMyself() =>
        _jira.Given(Request.Create().WithPath("/rest/api/3/myself").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-account-1","displayName":"Compliance Bot"}"""));

    private void StubScreen(string project, string typeId, params string[] fields) =>
        _jira.Given(Request.Create().WithPath($"/rest/api/3/issue/createmeta/{project}/issuetypes/{typeId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(new System.Text.Json.Nodes.JsonObject
            {
                ["startAt"] = 0,
                ["total"] = (fields.Length == 0 ? ["summary", "parent", "description", "labels"] : fields).Length,
                ["fields"] = new System.Text.Json.Nodes.JsonArray([.. (fields.Length == 0 ? ["summary", "parent", "description", "labels"] : fields).Select(f => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["fieldId"] = f })]),
            }.ToJsonString()));
}
