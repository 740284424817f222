using MedTechTracker.IntegrationTests.Pipeline;
using MedTechTracker.Queue;
using MedTechTracker.Queue.ServiceBus;
using MedTechTracker.Rules.Model;
using MedTechTracker.Samples.JiraSimulator;
using MedTechTracker.Storage;
using MedTechTracker.Storage.Sqlite;
using MedTechTracker.TestSupport.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.IntegrationTests.ServiceBus;

/// <summary>
/// The product on Queue:Provider=ServiceBus (the official SDK) end to end: an ingress process and two worker processes
/// against the test broker, which listens on loopback in this test process; simulated Jira over HTTP.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class ServiceBusPipelineTests : IAsyncLifetime
{
    private readonly PipelineEnvironment _env = new();
    private readonly ServiceBusTestBroker _broker = new();
    private readonly string _queueName = TestBrokerClient.UniqueQueueName("pipeline");

    private bool _sessions;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _broker.Dispose();
        await _env.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task One_ingress_and_two_workers_create_every_subtask_of_500_webhooks_exactly_once_though_one_worker_is_killed(bool sessions)
    {
        CreateQueue(sessions);
        await EnableAsync("MED");
        var port = FreePort.Next();
        using var ingress = ServiceProcess.Start("ingress", _env.Settings(Settings()), $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitUntilReadyAsync(http, ingress);

        // 400 issues; 60 of their webhooks again under the same id (Jira's redelivery: duplicate detection drops them)
        // and 40 under a second id (processed again, nothing new to create).
        var issues = IssueLoad.Add(_env.Jira, "MED", 400);
        var webhooks = issues.Select((x, i) => (x.Issue, Id: $"wh-{i}"))
            .Concat(issues.Take(60).Select((x, i) => (x.Issue, Id: $"wh-{i}")))
            .Concat(issues.Skip(100).Take(40).Select((x, i) => (x.Issue, Id: $"wh-second-{i}")))
            .ToList();
        Assert.Equal(500, webhooks.Count);

        var workerSettings = _env.Settings([.. Settings(), ("Worker:Concurrency", "4"), ("Worker:LockRenewalInterval", "00:00:01")]);
        _env.Jira.BulkCreateDelay = TimeSpan.FromMilliseconds(20);
        using var doomed = ServiceProcess.Start("worker", workerSettings);
        using var survivor = ServiceProcess.Start("worker", workerSettings);
        // Jira's retries reach another ingress replica, whose replay guard (per process) has not seen them: the repeats go
        // through a second ingress process, so Service Bus duplicate detection is what drops them.
        var replicaPort = FreePort.Next();
        using var replica = ServiceProcess.Start("ingress", _env.Settings(Settings()), $"http://127.0.0.1:{replicaPort}");
        using var replicaHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{replicaPort}") };
        await WaitUntilReadyAsync(replicaHttp, replica);
        foreach (var ((issue, id), index) in webhooks.Select((w, i) => (w, i)))
        {
            using var response = await WebhookSender.SendAsync(index < 400 ? http : replicaHttp, new Uri("/webhooks/jira", UriKind.Relative), JiraWebhook.IssueCreated(issue), _env.Secret, id, CancellationToken.None);
            Assert.Equal(202, (int)response.StatusCode);
            if (id == "wh-200")
            {
                await Poll.UntilAsync(() => doomed.Output.Contains(": completed (", StringComparison.Ordinal) || doomed.HasExited, "the first worker is working");
                Assert.False(doomed.HasExited, doomed.Output);
                doomed.KillHard();
            }
        }

        await Poll.UntilAsync(
            () => issues.All(i => _env.Jira.SubtasksOf(i.Issue.Key).Count >= i.Expected.Count) || survivor.HasExited,
            "every issue has its sub-tasks",
            TimeSpan.FromMinutes(5));
        Assert.False(survivor.HasExited, survivor.Output);
        await Poll.UntilAsync(() => _broker.CountOf(_queueName) == 0, "the queue is empty", TimeSpan.FromMinutes(2));
        await Poll.UntilAsync(() => _env.Jira.LastWriteAt is not { } last || DateTimeOffset.UtcNow - last > TimeSpan.FromSeconds(5), "Jira has been quiet for 5 s");

        foreach (var (issue, expected) in issues)
        {
            Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
        }

        Assert.True(_broker.DuplicatesDroppedOn(_queueName) >= 60, $"{_broker.DuplicatesDroppedOn(_queueName)} duplicates dropped");
        Assert.All(issues.Skip(100).Take(40), i => Assert.True(_env.Jira.Reads(i.Issue.Key) >= 2, $"{i.Issue.Key} was read once"));
        Assert.Equal(0, _broker.CountOf(_queueName + "/$DeadLetterQueue"));
    }

    [Fact]
    public async Task A_poison_message_lands_in_the_dead_letter_sub_queue_with_its_reason_and_the_cli_replays_it()
    {
        CreateQueue(sessions: false);
        _env.Jira.AddProject("POI", "Not visible to the bot").HiddenFromBot = true;
        await EnableAsync("POI");
        var port = FreePort.Next();
        using var ingress = ServiceProcess.Start("ingress", _env.Settings(Settings()), $"http://127.0.0.1:{port}");
        using var worker = ServiceProcess.Start("worker", _env.Settings(Settings()));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitUntilReadyAsync(http, ingress);
        var issue = _env.Jira.AddIssue("POI", "Alarm volume", "New hazard when the alarm is muted.");

        using (var response = await WebhookSender.SendAsync(http, new Uri("/webhooks/jira", UriKind.Relative), JiraWebhook.IssueCreated(issue), _env.Secret, "wh-poison", CancellationToken.None))
        {
            Assert.Equal(202, (int)response.StatusCode);
        }

        var letter = await WaitForDeadLetterAsync(except: null);
        Assert.Equal(issue.Key, letter.Message.IssueKey);
        Assert.Contains("not visible to the bot", letter.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Alarm volume", letter.Reason, StringComparison.Ordinal);

        var (listExit, listOutput) = await RunCliAsync("deadletter", "list");
        Assert.Equal(0, listExit);
        Assert.Contains(issue.Key, listOutput, StringComparison.Ordinal);
        var (showExit, showOutput) = await RunCliAsync("deadletter", "show", letter.Id);
        Assert.Equal(0, showExit);
        Assert.Contains("not visible to the bot", showOutput, StringComparison.Ordinal);

        var readsBefore = _env.Jira.Calls(JiraOperation.GetIssue);
        var (replayExit, replayOutput) = await RunCliAsync("deadletter", "replay", letter.Id);
        Assert.True(replayExit == 0, replayOutput);

        // The replayed copy is worked on again (and, the project being unchanged, dead-lettered again under a new id).
        await Poll.UntilAsync(() => _env.Jira.Calls(JiraOperation.GetIssue) > readsBefore, "the replayed message was processed");
        var again = await WaitForDeadLetterAsync(except: letter.Id);
        Assert.Equal(issue.Key, again.Message.IssueKey);
        Assert.False(worker.HasExited, worker.Output);
    }

    [Fact]
    public async Task Readyz_reports_the_namespace_reachable_and_a_webhook_goes_through_the_sdk()
    {
        CreateQueue(sessions: false);
        await using var host = await _env.StartHostAsync(Hosting.ServiceRole.Serve, Settings());
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", "Password reset", "Encryption of the reset token.");
        var expected = PipelineRules.ExpectedSummaries(issue.Summary, "Encryption of the reset token.");

        using var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var body = await ready.Content.ReadAsStringAsync();
        Assert.True(ready.IsSuccessStatusCode, body);
        Assert.Contains("ServiceBusWorkQueue", body, StringComparison.Ordinal);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-ready-1"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count >= expected.Count, "the sub-tasks exist");
        Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
        Assert.Contains("wh-ready-1", _broker.Received);
    }

    [Fact]
    public async Task An_unreachable_namespace_makes_readyz_fail_and_webhooks_answer_503_without_blocking_start_up()
    {
        CreateQueue(sessions: false);
        var deadPort = FreePort.Next();
        await using var host = await _env.StartHostAsync(
            Hosting.ServiceRole.Ingress,
            ("Queue:Provider", "ServiceBus"),
            ("Queue:ServiceBus:ConnectionString", $"Endpoint=sb://127.0.0.1:{deadPort};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true"),
            ("Queue:ServiceBus:TryTimeout", "00:00:02"),
            ("Queue:ServiceBus:MaxRetries", "0"),
            ("Queue:ServiceBus:SendTimeout", "00:00:03"),
            ("Queue:Name", _queueName));
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", "Alarm", "A hazard.");

        using var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.DoesNotContain("SharedAccessKey", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(503, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-down-1"));
    }

    private void CreateQueue(bool sessions)
    {
        // Short locks: the leases of a killed worker come back within seconds. Service Bus's MaxDeliveryCount equals the adapter's.
        _sessions = sessions;
        _broker.CreateQueue(_queueName, new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(5), MaxDeliveryCount = 10, RequiresSession = sessions });
    }

    private (string Key, string Value)[] Settings() =>
    [
        ("Queue:ServiceBus:SessionsEnabled", _sessions ? "true" : "false"),
        ("Queue:Provider", "ServiceBus"),
        ("Queue:ServiceBus:ConnectionString", _broker.ConnectionString),
        ("Queue:ServiceBus:TryTimeout", "00:00:05"),
        ("Queue:Name", _queueName),
        ("Queue:MaxDeliveryCount", "10"),
    ];

    private async Task EnableAsync(string projectKey)
    {
        using var store = new SqliteSettingsStore(Options.Create(new StoreOptions()), Options.Create(new DataOptions { Directory = _env.DataDirectory }));
        await store.SaveAsync(new ProjectSettings(projectKey, ProjectMode.On, SafetyClass.C, DateTimeOffset.UtcNow, "test"), CancellationToken.None);
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, ServiceProcess process) =>
        await Poll.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, process.Output);
            try
            {
                using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                return ready.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the ingress process is ready");

    private async Task<DeadLetter> WaitForDeadLetterAsync(string? except)
    {
        var options = new ServiceBusOptions { ConnectionString = _broker.ConnectionString, TryTimeout = TimeSpan.FromSeconds(5) };
        await using var client = ServiceBusQueueExtensions.CreateClient(options);
        await using var queue = new ServiceBusWorkQueue(client, Options.Create(new QueueOptions { Name = _queueName }), Options.Create(options), TimeProvider.System, NullLogger<ServiceBusWorkQueue>.Instance);
        var deadLetters = new ServiceBusDeadLetterQueue(queue, TimeProvider.System);
        DeadLetter? found = null;
        await Poll.UntilAsync(async () => (found = (await deadLetters.ListAsync(10, CancellationToken.None)).FirstOrDefault(l => l.Id != except)) is not null, "a dead letter");
        return found!;
    }

    private Task<(int ExitCode, string Output)> RunCliAsync(params string[] args) => CliProcess.RunAsync(_env.Settings(Settings()), args);
}
