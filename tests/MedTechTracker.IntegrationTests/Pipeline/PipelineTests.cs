using Microsoft.Extensions.DependencyInjection;
using System.Text;
using System.Text.Json.Nodes;
using MedTechTracker.Queue;
using MedTechTracker.Samples.JiraSimulator;
using MedTechTracker.Storage;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>Signed webhook → ingress → SQLite queue → worker → simulated Jira (WireMock.Net), on the real host.</summary>
[Collection(PipelineCollection.Name)]
public sealed class PipelineTests : IAsyncLifetime
{
    private const string AlarmSummary = "Infusion rate alarm is too quiet";
    private const string AlarmDescription = "Nurses miss the alarm; this is a hazard for the patient.";
    private readonly PipelineEnvironment _env = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Signed_webhook_creates_the_planned_subtasks_with_the_expected_request_body()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        var expected = PipelineRules.ExpectedSummaries(AlarmSummary, AlarmDescription);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-1"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == expected.Count, "the sub-tasks exist");

        Assert.Equal(2, expected.Count);
        var body = JsonNode.Parse(Assert.Single(_env.Jira.BulkCreateBodies))!;
        var updates = body["issueUpdates"]!.AsArray();
        Assert.Equal(expected.Order(), updates.Select(u => u!["fields"]!["summary"]!.GetValue<string>()).Order());
        foreach (var fields in updates.Select(u => u!["fields"]!))
        {
            Assert.Equal(issue.Key, fields["parent"]!["key"]!.GetValue<string>());
            Assert.Equal("MED", fields["project"]!["key"]!.GetValue<string>());
            Assert.Equal("10003", fields["issuetype"]!["id"]!.GetValue<string>());
            var labels = fields["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
            Assert.Contains("medtech-compliance", labels);
            Assert.Single(labels, l => l.StartsWith("mtc-", StringComparison.Ordinal));
            var description = fields["description"]!;
            Assert.Equal("doc", description["type"]!.GetValue<string>());
            Assert.Equal(1, description["version"]!.GetValue<int>());
            var text = Adf.ToText(description);
            Assert.Contains("Instructions", text);
            Assert.Contains("Evidence for the Design History File", text);
        }

        var riskSubtask = updates.Select(u => u!["fields"]!).Single(f => f["labels"]!.AsArray().Any(l => l!.GetValue<string>() == "mtc-risk-analysis"));
        Assert.Contains("ISO 14971 §5", Adf.ToText(riskSubtask["description"]));
        Assert.DoesNotContain("Nurses", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_trace_spans_the_webhook_the_worker_and_its_Jira_calls()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-trace"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");
        await Poll.UntilAsync(() => _env.Telemetry.Activities.Any(a => a.OperationName == "worker.process" && Equals(a.GetTagItem("issue.key"), issue.Key)), "the worker span ended");

        var worker = _env.Telemetry.Activities.Single(a => a.OperationName == "worker.process" && Equals(a.GetTagItem("issue.key"), issue.Key));
        var trace = _env.Telemetry.Activities.Where(a => a.TraceId == worker.TraceId).ToList();
        Assert.Contains(trace, a => a.Kind == System.Diagnostics.ActivityKind.Server && a.DisplayName.Contains("/webhooks/jira", StringComparison.Ordinal));
        Assert.NotEqual(default, worker.ParentSpanId);
        var jiraCalls = trace.Where(a => a.Kind == System.Diagnostics.ActivityKind.Client && IsUnder(a, worker, trace)).ToList();
        Assert.Contains(jiraCalls, a => a.DisplayName.StartsWith("GET", StringComparison.Ordinal));
        Assert.Contains(jiraCalls, a => a.DisplayName.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Same_webhook_three_times_and_a_replay_under_another_id_read_the_issue_once_and_create_each_subtask_once()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        var body = JiraWebhook.IssueCreated(issue);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(202, await host.SendAsync(body, "wh-same"));
        }

        Assert.Equal(202, await host.SendAsync(body, "wh-replayed-under-a-new-id"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count > 0, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        var summaries = _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).ToList();
        Assert.Equal(PipelineRules.ExpectedSummaries(AlarmSummary, AlarmDescription).Order(), summaries.Order());
        Assert.Equal(1, _env.Jira.Reads(issue.Key));
    }

    [Fact]
    public async Task Rate_limited_bulk_create_waits_for_Retry_After_and_creates_once()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        _env.Jira.EnqueueFault(JiraOperation.BulkCreate, SimulatedJira.RateLimited(retryAfterSeconds: 2));

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-429"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        var bulkRequests = _env.Jira.Server.LogEntries
            .Where(e => e.RequestMessage?.Path == "/rest/api/3/issue/bulk")
            .Select(e => e.RequestMessage!.DateTime)
            .Order()
            .ToList();
        Assert.Equal(2, bulkRequests.Count);
        Assert.True(bulkRequests[1] - bulkRequests[0] >= TimeSpan.FromSeconds(2), $"retried after {bulkRequests[1] - bulkRequests[0]}");
        Assert.Equal(2, _env.Jira.SubtasksOf(issue.Key).Count);
    }

    [Fact]
    public async Task Server_errors_from_Jira_are_retried_until_it_recovers()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        _env.Jira.EnqueueFault(JiraOperation.GetIssue, SimulatedJira.ServerError());
        for (var i = 0; i < 3; i++)
        {
            _env.Jira.EnqueueFault(JiraOperation.BulkCreate, SimulatedJira.ServerError());
        }

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-500"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        Assert.Equal(4, _env.Jira.Calls(JiraOperation.BulkCreate));
        Assert.Equal(2, _env.Jira.SubtasksOf(issue.Key).Count);
    }

    [Fact]
    public async Task Refused_subtasks_are_dead_lettered_with_Jiras_reason_and_replay_creates_them()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        _env.Jira.EnqueueFault(JiraOperation.BulkCreate, SimulatedJira.BulkFieldError("labels", "Field 'labels' cannot be set. It is not on the appropriate screen.", items: 2));
        var deadLetters = host.App.Services.GetRequiredService<IDeadLetterQueue>();

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-400"));
        DeadLetter? deadLetter = null;
        await Poll.UntilAsync(async () => (deadLetter = (await deadLetters.ListAsync(10, CancellationToken.None)).FirstOrDefault()) is not null, "the message is dead-lettered");

        Assert.Equal(issue.Key, deadLetter!.Message.IssueKey);
        Assert.Contains(issue.Key, deadLetter.Reason);
        Assert.Contains("errors in labels", deadLetter.Reason);
        Assert.DoesNotContain("cannot be set", deadLetter.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Nurses", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Empty(_env.Jira.SubtasksOf(issue.Key));
        Assert.Equal(1, _env.Jira.Calls(JiraOperation.BulkCreate));

        Assert.True(await deadLetters.ReplayAsync(deadLetter.Id, CancellationToken.None));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the replayed message created the sub-tasks");
        Assert.Empty(await deadLetters.ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Off_unknown_and_Shadow_projects_cause_no_Jira_writes()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("OFFP", ProjectMode.Off);
        await host.EnableAsync("SHADOW", ProjectMode.Shadow);
        var off = _env.Jira.AddIssue("OFFP", AlarmSummary, AlarmDescription);
        var unknown = _env.Jira.AddIssue("UNKNOWN", AlarmSummary, AlarmDescription);
        var shadow = _env.Jira.AddIssue("SHADOW", AlarmSummary, AlarmDescription);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(off), "wh-off"));
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(unknown), "wh-unknown"));
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(shadow), "wh-shadow"));
        await Poll.UntilAsync(() => _env.Jira.Reads(shadow.Key) == 1, "the Shadow issue was evaluated");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        Assert.Equal(0, _env.Jira.BulkCreateCalls);
        Assert.Equal(0, _env.Jira.Reads(off.Key));
        Assert.Equal(0, _env.Jira.Reads(unknown.Key));
        Assert.Contains(_env.Telemetry.Logs, l => l.Contains($"{shadow.Key}: Shadow mode", StringComparison.Ordinal) && l.Contains("risk-analysis", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subtask_and_bot_created_events_are_ignored()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var parent = _env.Jira.AddIssue("MED", "Plain story", "Nothing to see.");
        var subtask = _env.Jira.AddIssue("MED", "A hazard in a sub-task", null, type: "Story");
        var subtaskEvent = JsonNode.Parse(JiraWebhook.IssueCreated(subtask))!;
        subtaskEvent["issue"]!["fields"]!["issuetype"] = new JsonObject { ["id"] = "10003", ["name"] = "Sub-task", ["subtask"] = true, ["hierarchyLevel"] = -1 };
        subtaskEvent["issue"]!["fields"]!["parent"] = new JsonObject { ["key"] = parent.Key };
        var byBot = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        var afterwards = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);

        Assert.Equal(204, await host.SendAsync(Encoding.UTF8.GetBytes(subtaskEvent.ToJsonString()), "wh-subtask"));
        Assert.Equal(204, await host.SendAsync(JiraWebhook.IssueCreated(byBot, SimulatedJira.BotAccountId), "wh-bot"));
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(afterwards), "wh-after"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(afterwards.Key).Count == 2, "the ordinary issue got its sub-tasks");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        Assert.Equal(0, _env.Jira.Reads(subtask.Key));
        Assert.Equal(0, _env.Jira.Reads(byBot.Key));
        Assert.Equal(1, _env.Jira.BulkCreateCalls);
    }

    [Fact]
    public async Task Privacy_canary_in_a_description_is_in_no_log_line_span_or_file_under_the_data_directory()
    {
        var canary = "CANARY-" + Guid.NewGuid().ToString("N");
        var description = $"Patient name {canary} appears on the alarm screen; this is a hazard.";
        PipelineHost? host = null;
        try
        {
            host = await _env.StartHostAsync();
            await host.EnableAsync("MED");
            var issue = _env.Jira.AddIssue("MED", $"Alarm text {canary}", description);
            Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-canary"));
            await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");
            await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");
            Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-canary-2"));
            await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");
            Assert.Equal(1, _env.Jira.Reads(issue.Key));
            _env.AssertNoFileContains(canary);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        Assert.NotEmpty(_env.Telemetry.Logs);
        Assert.Contains(_env.Telemetry.Spans, s => s.StartsWith("worker.process", StringComparison.Ordinal));
        Assert.DoesNotContain(_env.Telemetry.Logs, l => l.Contains(canary, StringComparison.Ordinal));
        Assert.DoesNotContain(_env.Telemetry.Spans, s => s.Contains(canary, StringComparison.Ordinal));
        _env.AssertNoFileContains(canary);
    }

    private static bool IsUnder(System.Diagnostics.Activity activity, System.Diagnostics.Activity ancestor, List<System.Diagnostics.Activity> trace)
    {
        for (var current = activity; current is not null; current = trace.FirstOrDefault(a => a.SpanId == current.ParentSpanId))
        {
            if (current.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}
