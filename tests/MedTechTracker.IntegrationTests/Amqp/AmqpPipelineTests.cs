using MedTechTracker.Hosting;
using MedTechTracker.IntegrationTests.Pipeline;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.Amqp;

/// <summary>The whole product with Queue:Provider=Amqp on RabbitMQ: signed webhook → broker → worker(s) → simulated Jira.</summary>
[Collection(PipelineCollection.Name)]
public sealed class AmqpPipelineTests : IAsyncLifetime
{
    private readonly PipelineEnvironment _env = new();
    private readonly string _queueName = AmqpTestBroker.UniqueQueueName("pipeline");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Webhook_through_the_amqp_broker_creates_the_subtasks_once()
    {
        await using var host = await _env.StartHostAsync(ServiceRole.Serve, AmqpSettings());
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", "Alarm volume too low", "A hazard for the patient when the password screen hides the alarm.");
        var expected = PipelineRules.ExpectedSummaries(issue.Summary, "A hazard for the patient when the password screen hides the alarm.");
        Assert.Equal(3, expected.Count);

        // The retry reaches another ingress replica, whose replay guard has not seen it (the guard is per process),
        // and RabbitMQ has no duplicate detection: the worker's own check must keep it from creating twice.
        await using var replica = await _env.StartHostAsync(ServiceRole.Ingress, AmqpSettings());
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-amqp-1"));
        Assert.Equal(202, await replica.SendAsync(JiraWebhook.IssueCreated(issue), "wh-amqp-1"));
        await Poll.UntilAsync(() => _env.Jira.Reads(issue.Key) >= 2 && _env.Jira.SubtasksOf(issue.Key).Count >= expected.Count, "both deliveries were processed");

        Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
    }

    [Fact]
    public async Task Two_worker_processes_on_one_queue_create_every_subtask_of_500_webhooks_exactly_once()
    {
        await using var ingress = await _env.StartHostAsync(ServiceRole.Ingress, AmqpSettings());
        await ingress.EnableAsync("MED");
        // 400 issues, then 60 of their webhooks again (same id: RabbitMQ has no duplicate detection) and 40 of the
        // issues under a second webhook id. The repeats come once the originals are done, as Jira's retries do
        // (minutes apart): one issue in flight in two processes at once needs Service Bus sessions (see docs).
        var issues = IssueLoad.Add(_env.Jira, "MED", 400);
        var firstWave = issues.Select((x, i) => (x.Issue, Id: $"wh-{i}")).OrderBy(_ => Random.Shared.Next()).ToList();
        var secondWave = issues.Take(60).Select((x, i) => (x.Issue, Id: $"wh-{i}"))
            .Concat(issues.Skip(100).Take(40).Select((x, i) => (x.Issue, Id: $"wh-second-{i}")))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        Assert.Equal(500, firstWave.Count + secondWave.Count);

        var workerSettings = _env.Settings([.. AmqpSettings(), ("Worker:Concurrency", "4")]);
        using var first = ServiceProcess.Start("worker", workerSettings);
        using var second = ServiceProcess.Start("worker", workerSettings);
        foreach (var (issue, id) in firstWave)
        {
            Assert.Equal(202, await ingress.SendAsync(JiraWebhook.IssueCreated(issue), id));
        }

        await Poll.UntilAsync(
            () => issues.All(i => _env.Jira.SubtasksOf(i.Issue.Key).Count >= i.Expected.Count) || first.HasExited || second.HasExited,
            "every issue has its sub-tasks",
            TimeSpan.FromMinutes(5));
        Assert.False(first.HasExited, first.Output);
        Assert.False(second.HasExited, second.Output);

        // The repeats arrive at a second ingress replica: its replay guard has not seen them (it is per process), so
        // they reach the queue and the workers, whose existing-sub-task check is what keeps them from creating twice.
        await using var replica = await _env.StartHostAsync(ServiceRole.Ingress, AmqpSettings());
        foreach (var (issue, id) in secondWave)
        {
            Assert.Equal(202, await replica.SendAsync(JiraWebhook.IssueCreated(issue), id));
        }

        await Poll.UntilAsync(() => secondWave.All(w => _env.Jira.Reads(w.Issue.Key) >= 2), "every repeated webhook was processed", TimeSpan.FromMinutes(3));

        // Let any redelivered or duplicate message finish before counting.
        await Poll.UntilAsync(() => _env.Jira.LastWriteAt is not { } last || DateTimeOffset.UtcNow - last > TimeSpan.FromSeconds(5), "Jira has been quiet for 5 s");
        foreach (var (issue, expected) in issues)
        {
            Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
        }

        // Both processes took work off the one queue.
        Assert.Contains(": completed (", first.Output, StringComparison.Ordinal);
        Assert.Contains(": completed (", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_out_stack_of_amqp_queue_and_azure_tables_store_is_ready_and_creates_subtasks()
    {
        await using var host = await _env.StartHostAsync(ServiceRole.Serve, [.. AmqpSettings(), .. TablesSettings()]);
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", "Password reset", "Encryption of the reset token.");
        var expected = PipelineRules.ExpectedSummaries(issue.Summary, "Encryption of the reset token.");

        using var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();
        Assert.True(ready.IsSuccessStatusCode, body);
        var json = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.Equal("Amqp", json.GetProperty("providers").GetProperty("queue").GetString());
        Assert.Equal("AzureTables", json.GetProperty("providers").GetProperty("store").GetString());
        Assert.Contains("AmqpWorkQueue", body, StringComparison.Ordinal);
        Assert.Contains("AzureTablesSettingsStore", body, StringComparison.Ordinal);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-stack-1"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count >= expected.Count, "the sub-tasks exist");
        Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
    }

    [Fact]
    public async Task Unreachable_broker_makes_readyz_fail_and_webhooks_answer_503()
    {
        var deadPort = FreePort.Next();
        await using var host = await _env.StartHostAsync(
            ServiceRole.Ingress,
            ("Queue:Provider", "Amqp"),
            ("Queue:Amqp:Address", $"amqp://guest:guest@127.0.0.1:{deadPort}"),
            ("Queue:Name", _queueName));
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", "Alarm", "A hazard.");

        using var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(503, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-down-1"));
    }

    private static (string Key, string Value)[] TablesSettings() =>
    [
        ("Store:Provider", "AzureTables"),
        ("Store:AzureTables:ConnectionString", AzureTables.AzuriteTables.ConnectionString),
        ("Store:AzureTables:TablePrefix", "p" + Guid.NewGuid().ToString("N")[..10]),
    ];

    private (string Key, string Value)[] AmqpSettings() =>
    [
        ("Queue:Provider", "Amqp"),
        ("Queue:Amqp:Address", AmqpTestBroker.Address),
        ("Queue:Name", _queueName),
    ];
}
