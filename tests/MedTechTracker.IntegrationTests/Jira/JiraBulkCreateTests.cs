using System.Text.Json.Nodes;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Planning;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Jira;

public sealed class JiraBulkCreateTests : IDisposable
{
    private const string BulkPath = "/rest/api/3/issue/bulk";
    private readonly WireMockServer _jira = WireMockServer.Start();
    private int _nextKey = 100;

    public void Dispose() => _jira.Stop();

    [Fact]
    public async Task Bulk_create_sends_parent_type_summary_labels_and_adf_description()
    {
        StubBulkCreatesEverything();
        await using var host = JiraTestHost.Create(_jira);
        var item = Item("MED-7", "iec62304-5.2", "Compliance: Software requirements (IEC 62304 5.2)");

        var result = await host.Client.CreateSubtasksAsync([item], CancellationToken.None);

        Assert.Equal("MED-100", Assert.Single(result.Created).Key);
        Assert.Same(item, result.Created[0].Item);
        Assert.Empty(result.Failed);
        var body = JsonNode.Parse(Assert.Single(_jira.LogEntries).RequestMessage!.Body!)!;
        var fields = Assert.Single(body["issueUpdates"]!.AsArray())!["fields"]!;
        Assert.Equal("MED", (string?)fields["project"]!["key"]);
        Assert.Equal("MED-7", (string?)fields["parent"]!["key"]);
        Assert.Equal("10009", (string?)fields["issuetype"]!["id"]);
        Assert.Equal("Compliance: Software requirements (IEC 62304 5.2)", (string?)fields["summary"]);
        Assert.Equal(["mtc-iec62304-5.2", "compliance"], fields["labels"]!.AsArray().Select(l => (string?)l));
        Assert.Equal("doc", (string?)fields["description"]!["type"]);
        Assert.Equal(1, (int?)fields["description"]!["version"]);
        Assert.Equal("Why: rule iec62304-5.2", (string?)fields["description"]!["content"]![0]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task More_than_fifty_items_are_split_into_calls_of_at_most_fifty()
    {
        StubBulkCreatesEverything();
        await using var host = JiraTestHost.Create(_jira);
        var items = Enumerable.Range(1, 51).Select(i => Item($"MED-{i}", $"rule-{i}", $"Compliance: rule {i}")).ToList();

        var result = await host.Client.CreateSubtasksAsync(items, CancellationToken.None);

        Assert.Equal(51, result.Created.Count);
        Assert.Equal(items, result.Created.Select(c => c.Item));
        Assert.Equal(51, result.Created.Select(c => c.Key).Distinct().Count());
        var sizes = _jira.LogEntries.Select(e => JsonNode.Parse(e.RequestMessage!.Body!)!["issueUpdates"]!.AsArray().Count).OrderDescending();
        Assert.Equal([50, 1], sizes);
    }

    [Fact]
    public async Task Partial_failure_retries_only_the_transiently_failed_item_and_reports_the_permanent_one()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost()).InScenario("partial").WillSetStateTo("retried")
            .RespondWith(Response.Create().WithStatusCode(201).WithBody("""
                {"issues":[{"id":"20001","key":"MED-201","self":"x"}],
                 "errors":[
                   {"status":429,"elementErrors":{"errorMessages":["Rate limit exceeded."],"errors":{}},"failedElementNumber":1},
                   {"status":400,"elementErrors":{"errorMessages":[],"errors":{"labels":"The label 'has space' contains spaces which is invalid."}},"failedElementNumber":2}]}
                """));
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost()).InScenario("partial").WhenStateIs("retried")
            .RespondWith(Response.Create().WithStatusCode(201).WithBody("""{"issues":[{"id":"20002","key":"MED-202","self":"y"}],"errors":[]}"""));
        await using var host = JiraTestHost.Create(_jira);
        var items = new[]
        {
            Item("MED-1", "a", "Compliance: A"),
            Item("MED-1", "b", "Compliance: B"),
            Item("MED-1", "c", "Compliance: C"),
        };

        var result = await host.Client.CreateSubtasksAsync(items, CancellationToken.None);

        Assert.Equal([("a", "MED-201"), ("b", "MED-202")], result.Created.Select(c => (c.Item.Subtask.RuleId, c.Key)));
        var failed = Assert.Single(result.Failed);
        Assert.Equal("c", failed.Item.Subtask.RuleId);
        Assert.Equal(400, failed.Status);
        Assert.True(failed.Permanent);
        Assert.Equal("errors in labels", failed.Error);

        var requests = _jira.LogEntries.Select(e => JsonNode.Parse(e.RequestMessage!.Body!)!["issueUpdates"]!.AsArray()).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("Compliance: B", (string?)Assert.Single(requests[1])!["fields"]!["summary"]);
    }

    [Fact]
    public async Task Items_that_keep_failing_transiently_are_reported_after_bounded_retries()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithBody("""{"issues":[],"errors":[{"status":503,"elementErrors":{"errorMessages":["Service busy"]},"failedElementNumber":0}]}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:BulkItemRetries"] = "2" });

        var result = await host.Client.CreateSubtasksAsync([Item("MED-1", "a", "Compliance: A")], CancellationToken.None);

        var failed = Assert.Single(result.Failed);
        Assert.False(failed.Permanent);
        Assert.Equal(503, failed.Status);
        Assert.Equal("Service busy", failed.Error);
        Assert.Equal(3, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task All_items_refused_with_400_are_reported_per_item_with_jiras_error_keys()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("""
                {"issues":[],"errors":[{"status":400,"elementErrors":{"errorMessages":[],"errors":{"parent":"Given parent work item does not belong to appropriate hierarchy."}},"failedElementNumber":0}]}
                """));
        await using var host = JiraTestHost.Create(_jira);

        var result = await host.Client.CreateSubtasksAsync([Item("MED-1", "a", "Compliance: A")], CancellationToken.None);

        var failed = Assert.Single(result.Failed);
        Assert.True(failed.Permanent);
        Assert.Equal("errors in parent", failed.Error);
        Assert.Single(_jira.LogEntries);
    }

    [Fact]
    public async Task Bulk_create_is_not_retried_on_a_server_error_and_fails_transiently()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("""{"errorMessages":["Internal server error"],"errors":{}}"""));
        await using var host = JiraTestHost.Create(_jira);

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.CreateSubtasksAsync([Item("MED-5", "a", "Compliance: A")], CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Equal(500, error.StatusCode);
        Assert.Contains("MED-5", error.Message, StringComparison.Ordinal);
        Assert.Contains("Internal server error", error.Message, StringComparison.Ordinal);
        Assert.Single(_jira.LogEntries);
    }

    [Fact]
    public async Task Bulk_create_is_retried_when_rate_limited_and_creates_once()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost()).InScenario("limited").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "0").WithBody("""{"errorMessages":["Rate limit exceeded."]}"""));
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost()).InScenario("limited").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(201).WithBody("""{"issues":[{"id":"1","key":"MED-300"}],"errors":[]}"""));
        await using var host = JiraTestHost.Create(_jira);

        var result = await host.Client.CreateSubtasksAsync([Item("MED-5", "a", "Compliance: A")], CancellationToken.None);

        Assert.Equal("MED-300", Assert.Single(result.Created).Key);
        var bodies = _jira.LogEntries.Select(e => e.RequestMessage!.Body).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Contains("Compliance: A", bodies[1], StringComparison.Ordinal);
        Assert.Equal(bodies[0], bodies[1]);
    }

    [Fact]
    public async Task Unauthorised_bulk_create_is_permanent()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(401).WithBody("""{"errorMessages":["You are not authenticated. Authentication required to perform this operation."]}"""));
        await using var host = JiraTestHost.Create(_jira);

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.CreateSubtasksAsync([Item("MED-5", "a", "Compliance: A")], CancellationToken.None));

        Assert.True(error.Permanent);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("You are not authenticated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_create_errors_never_quote_the_subtask_text()
    {
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("<html>oops</html>"));
        await using var host = JiraTestHost.Create(_jira);
        var item = Item("MED-5", "a", "Compliance: CANARY-summary");

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.CreateSubtasksAsync([item], CancellationToken.None));

        Assert.DoesNotContain("CANARY", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Why: rule", error.ToString(), StringComparison.Ordinal);
    }

    private void StubBulkCreatesEverything() =>
        _jira.Given(Request.Create().WithPath(BulkPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithBody(request =>
            {
                var count = JsonNode.Parse(request.Body!)!["issueUpdates"]!.AsArray().Count;
                var issues = new JsonArray();
                for (var i = 0; i < count; i++)
                {
                    var id = Interlocked.Increment(ref _nextKey) - 1;
                    issues.Add(new JsonObject { ["id"] = $"{20000 + id}", ["key"] = $"MED-{id}", ["self"] = "x" });
                }

                return new JsonObject { ["issues"] = issues, ["errors"] = new JsonArray() }.ToJsonString();
            }));

    private static SubtaskToCreate Item(string parent, string ruleId, string summary)
    {
        var description = new JsonObject
        {
            ["type"] = "doc",
            ["version"] = 1,
            ["content"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "paragraph",
                    ["content"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = $"Why: rule {ruleId}" } },
                },
            },
        };
        return new SubtaskToCreate("MED", parent, "10009", new PlannedSubtask(ruleId, summary, [$"mtc-{ruleId}", "compliance"], description));
    }
}
