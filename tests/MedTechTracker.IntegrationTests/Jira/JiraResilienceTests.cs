using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MedTechTracker.Jira;
using MedTechTracker.Telemetry;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Jira;

public sealed class JiraResilienceTests : IDisposable
{
    private const string MyselfPath = "/rest/api/3/myself";
    private readonly WireMockServer _jira = WireMockServer.Start();

    public void Dispose() => _jira.Stop();

    [Fact]
    public async Task Rate_limited_call_waits_at_least_retry_after_then_succeeds()
    {
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("429").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "2").WithBody("""{"errorMessages":["Rate limit exceeded."]}"""));
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("429").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-9"}"""));
        var time = new RecordingTimeProvider(new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        await using var host = JiraTestHost.Create(_jira, time, new Dictionary<string, string?>
        {
            // Distinct time-outs so the retry's delay timer can be told apart from them.
            ["Jira:AttemptTimeout"] = "00:00:10",
            ["Jira:TotalTimeout"] = "00:01:00",
            ["Jira:RetryBaseDelay"] = "00:00:01",
            ["Jira:RetryMaxDelay"] = "00:00:30",
        });
        var start = time.GetUtcNow();

        var call = host.Client.GetBotAccountIdAsync(CancellationToken.None);
        await Poll.UntilAsync(() => RetryDelays(time).Any(), "the retry delay to be scheduled");

        // The retry's own back-off is short; the process's rate governor holds the closed window for the rest.
        time.Fake.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Delay(300);
        Assert.Single(_jira.LogEntries);
        Assert.False(call.IsCompleted);

        time.Fake.Advance(TimeSpan.FromSeconds(1.2));
        Assert.Equal("bot-9", await call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, _jira.LogEntries.Count());
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured()
    {
        var now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("429").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", now.AddSeconds(5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("429").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-9"}"""));
        var time = new RecordingTimeProvider(new FakeTimeProvider(now));
        await using var host = JiraTestHost.Create(_jira, time, new Dictionary<string, string?>
        {
            ["Jira:AttemptTimeout"] = "00:00:10",
            ["Jira:TotalTimeout"] = "00:01:00",
        });

        var call = host.Client.GetBotAccountIdAsync(CancellationToken.None);
        await Poll.UntilAsync(() => RetryDelays(time).Any(), "the retry delay to be scheduled");

        time.Fake.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(300);
        Assert.Single(_jira.LogEntries);
        Assert.False(call.IsCompleted);
        time.Fake.Advance(TimeSpan.FromSeconds(1.2));
        Assert.Equal("bot-9", await call.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Server_errors_on_reads_are_retried()
    {
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("500").WillSetStateTo("second")
            .RespondWith(Response.Create().WithStatusCode(500));
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("500").WhenStateIs("second").WillSetStateTo("third")
            .RespondWith(Response.Create().WithStatusCode(502));
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("500").WhenStateIs("third")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-3"}"""));
        await using var host = JiraTestHost.Create(_jira);

        Assert.Equal("bot-3", await host.Client.GetBotAccountIdAsync(CancellationToken.None));
        Assert.Equal(3, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Searches_are_retried_on_server_errors_although_they_are_posts()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/approximate-count").UsingPost()).InScenario("500").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(503));
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/approximate-count").UsingPost()).InScenario("500").WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"count":7}"""));
        await using var host = JiraTestHost.Create(_jira);

        Assert.Equal(7, await host.Client.ApproximateCountAsync("project = MED", CancellationToken.None));
        Assert.Equal(2, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_configured_attempts_as_transient()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/MED-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("""{"errorMessages":["Service unavailable"]}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:RetryMaxAttempts"] = "3" });

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetIssueAsync("MED-1", CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(3, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Rate_limit_that_outlasts_the_attempts_is_a_transient_429()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "0").WithBody("""{"errorMessages":["Rate limit exceeded."]}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:RetryMaxAttempts"] = "2" });

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.SearchAsync("project = MED", null, 50, CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(2, _jira.LogEntries.Count());
    }

    [Fact]
    public async Task Read_that_times_out_is_retried()
    {
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("slow").WillSetStateTo("fast")
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(2)).WithBody("""{"accountId":"late"}"""));
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet()).InScenario("slow").WhenStateIs("fast")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-fast"}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:AttemptTimeout"] = "00:00:00.300" });

        Assert.Equal("bot-fast", await host.Client.GetBotAccountIdAsync(CancellationToken.None));
        await Poll.UntilAsync(() => _jira.LogEntries.Count() == 2, "both attempts to be logged by the stub");
    }

    [Fact]
    public async Task Bulk_create_that_times_out_after_sending_is_not_retried()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/issue/bulk").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithDelay(TimeSpan.FromSeconds(2)).WithBody("""{"issues":[{"id":"1","key":"MED-2"}],"errors":[]}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:AttemptTimeout"] = "00:00:00.300" });

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.CreateSubtasksAsync(
            [new SubtaskToCreate("MED", "MED-1", "1", new Rules.Planning.PlannedSubtask("r", "Compliance: r", [], new System.Text.Json.Nodes.JsonObject()))],
            CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Contains("MED-1", error.Message, StringComparison.Ordinal);

        // The stub logs a request once it has answered it; any retry would have arrived within this window.
        await Poll.UntilAsync(() => _jira.LogEntries.Any(), "the stub to log the request");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(_jira.LogEntries);
    }

    [Fact]
    public async Task Unreachable_jira_is_a_transient_error()
    {
        var closedPort = new Uri(_jira.Url!).Port;
        _jira.Stop();
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?>
        {
            ["Jira:BaseUrl"] = $"http://127.0.0.1:{closedPort}",
            ["Jira:RetryMaxAttempts"] = "2",
        });

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.CreateSubtasksAsync(
            [new SubtaskToCreate("MED", "MED-1", "1", new Rules.Planning.PlannedSubtask("r", "Compliance: r", [], new System.Text.Json.Nodes.JsonObject()))],
            CancellationToken.None));

        Assert.False(error.Permanent);
        Assert.Null(error.StatusCode);
        Assert.Contains("MED-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_attempt_is_counted_by_operation_and_status()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/project/search").UsingGet()).InScenario("m").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "0"));
        _jira.Given(Request.Create().WithPath("/rest/api/3/project/search").UsingGet()).InScenario("m").WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"isLast":true,"values":[]}"""));
        var recorded = new ConcurrentBag<(string Operation, string Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, TrackerTelemetry.JiraCalls))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? operation = null, status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "operation") { operation = tag.Value as string; }
                if (tag.Key == "status") { status = tag.Value as string; }
            }

            recorded.Add((operation ?? "", status ?? ""));
        });
        listener.Start();
        await using var host = JiraTestHost.Create(_jira);

        await host.Client.ListProjectsAsync(CancellationToken.None);

        Assert.Contains(("project.search", "429"), recorded);
        Assert.Contains(("project.search", "200"), recorded);
    }

    private static IEnumerable<TimeSpan> RetryDelays(RecordingTimeProvider time) =>
        time.TimerDueTimes.Where(d => d != TimeSpan.FromSeconds(10) && d != TimeSpan.FromMinutes(1) && d != Timeout.InfiniteTimeSpan);
}
