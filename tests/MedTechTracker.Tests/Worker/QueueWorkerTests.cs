using System.Diagnostics.Metrics;
using MedTechTracker.Storage;
using MedTechTracker.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using MedTechTracker.Tests.Rules;

namespace MedTechTracker.Tests.Worker;

public sealed class QueueWorkerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly InMemorySettingsStore _settings = new InMemorySettingsStore().With("MED", ProjectMode.On);
    private readonly FakeJiraClient _jira = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Each_message_is_settled_by_its_outcome()
    {
        var queue = new FakeWorkQueue(TimeSpan.FromMinutes(1));
        _jira.WithIssue(IssueProcessorTests.Issue("MED-1", "hazard"));
        _jira.HiddenProjects.Add("OTHER");
        _settings.With("OTHER", ProjectMode.On);
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-1"), CancellationToken.None);
        await queue.EnqueueAsync(IssueProcessorTests.Reference("OTHER-1"), CancellationToken.None);
        using var worker = CreateWorker(queue, new WorkerOptions { Concurrency = 2, ReceiveWait = TimeSpan.FromMilliseconds(100) });
        var workerDeadLetters = 0L;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Telemetry.TrackerTelemetry.Name && instrument.Name == "mtc.queue.deadlettered")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "source", Value: "worker" })
                {
                    Interlocked.Add(ref workerDeadLetters, value);
                }
            }
        });
        meters.Start();

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => queue.Settled.Count == 2);
        await worker.StopAsync(CancellationToken.None);

        Assert.Contains(("MED-1", "complete", (string?)null), queue.Settled);
        Assert.Contains(queue.Settled, s => s.Item1 == "OTHER-1" && s.Item2 == "deadletter" && s.Item3!.StartsWith("OTHER-1: not visible to the bot", StringComparison.Ordinal));
        Assert.Equal(1, Interlocked.Read(ref workerDeadLetters));
    }

    [Fact]
    public async Task A_jira_error_with_terminal_escapes_becomes_a_dead_letter_reason_without_control_characters()
    {
        var queue = new FakeWorkQueue(TimeSpan.FromMinutes(1));
        _jira.WithIssue(IssueProcessorTests.Issue("MED-1", "hazard"));
        _jira.BeforeGetIssue = (_, _) => throw new MedTechTracker.Jira.JiraException("Jira GET issue MED-1 failed with HTTP 400: \u001b]0;owned\u0007\u001b[2J\r\nfake line", 400, permanent: true);
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-1"), CancellationToken.None);
        using var worker = CreateWorker(queue, new WorkerOptions { Concurrency = 1, ReceiveWait = TimeSpan.FromMilliseconds(100) });

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => queue.Settled.Count == 1);
        await worker.StopAsync(CancellationToken.None);

        var (key, settlement, reason) = Assert.Single(queue.Settled);
        Assert.Equal(("MED-1", "deadletter"), (key, settlement));
        Assert.DoesNotContain(reason!, char.IsControl);
        Assert.Contains(@"\x1B[2J\x0D\x0Afake line", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_is_renewed_while_a_message_is_worked_on()
    {
        var queue = new FakeWorkQueue(TimeSpan.FromMilliseconds(400));
        var release = new TaskCompletionSource();
        _jira.WithIssue(IssueProcessorTests.Issue("MED-1", "hazard"));
        _jira.BeforeGetIssue = (_, ct) => release.Task.WaitAsync(ct);
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-1"), CancellationToken.None);
        using var worker = CreateWorker(queue, new WorkerOptions { Concurrency = 1, ReceiveWait = TimeSpan.FromMilliseconds(100), LockRenewalInterval = TimeSpan.FromMilliseconds(100) });

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => Volatile.Read(ref queue.Renewals) >= 3);
        release.SetResult();
        await WaitUntil(() => !queue.Settled.IsEmpty);
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(("MED-1", "complete", null), Assert.Single(queue.Settled));
    }

    [Fact]
    public async Task Lost_lease_stops_the_work_before_anything_is_created()
    {
        var queue = new FakeWorkQueue(TimeSpan.FromMilliseconds(400)) { LoseLeaseOnRenewal = true };
        _jira.WithIssue(IssueProcessorTests.Issue("MED-1", "hazard"));
        _jira.BeforeGetIssue = (_, ct) => Task.Delay(Timeout.Infinite, ct);
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-1"), CancellationToken.None);
        using var worker = CreateWorker(queue, new WorkerOptions { Concurrency = 1, ReceiveWait = TimeSpan.FromMilliseconds(100), LockRenewalInterval = TimeSpan.FromMilliseconds(100) });

        await worker.StartAsync(CancellationToken.None);
        await WaitUntil(() => !queue.Settled.IsEmpty);
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(("MED-1", "abandon", "MED-1: the lease was lost"), Assert.Single(queue.Settled));
        Assert.Empty(_jira.CreateCalls);
    }

    [Fact]
    public async Task Shutdown_stops_receiving_and_abandons_what_does_not_finish_within_the_drain_timeout()
    {
        var queue = new FakeWorkQueue(TimeSpan.FromMinutes(1));
        var started = new TaskCompletionSource();
        _jira.WithIssue(IssueProcessorTests.Issue("MED-1", "hazard"));
        _jira.WithIssue(IssueProcessorTests.Issue("MED-2", "hazard"));
        _jira.BeforeGetIssue = async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-1"), CancellationToken.None);
        using var worker = CreateWorker(queue, new WorkerOptions { Concurrency = 1, ReceiveWait = TimeSpan.FromMilliseconds(100), ShutdownDrainTimeout = TimeSpan.FromMilliseconds(300) });

        await worker.StartAsync(CancellationToken.None);
        await started.Task.WaitAsync(Patience);
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-2"), CancellationToken.None);
        await worker.StopAsync(CancellationToken.None).WaitAsync(Patience);

        var settled = Assert.Single(queue.Settled);
        Assert.Equal(("MED-1", "abandon", "MED-1: unfinished at shutdown"), settled);
        Assert.Equal(1, _jira.IssueReads);
    }

    [Fact]
    public async Task Shutdown_lets_in_flight_work_finish_within_the_drain_timeout()
    {
        var queue = new FakeWorkQueue(TimeSpan.FromMinutes(1));
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        _jira.WithIssue(IssueProcessorTests.Issue("MED-1", "hazard"));
        _jira.BeforeGetIssue = async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
        };
        await queue.EnqueueAsync(IssueProcessorTests.Reference("MED-1"), CancellationToken.None);
        using var worker = CreateWorker(queue, new WorkerOptions { Concurrency = 1, ReceiveWait = TimeSpan.FromMilliseconds(100), ShutdownDrainTimeout = TimeSpan.FromMinutes(1) });

        await worker.StartAsync(CancellationToken.None);
        await started.Task.WaitAsync(Patience);
        var stopping = worker.StopAsync(CancellationToken.None);
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping.WaitAsync(Patience);

        Assert.Equal(("MED-1", "complete", null), Assert.Single(queue.Settled));
        Assert.Single(_jira.CreateCalls);
    }

    private QueueWorker CreateWorker(FakeWorkQueue queue, WorkerOptions options)
    {
        var processor = new IssueProcessor(_settings, _jira, new FiredRulesLedger(new FakeIssueProperties()), TestRules.CreateWorkerRulesProvider(_dir.Path), new MedTechTracker.Shadow.ShadowReport(Microsoft.Extensions.Options.Options.Create(new MedTechTracker.Shadow.ShadowOptions()), TimeProvider.System), new MedTechTracker.Jira.ParentWriteLocks(), new MedTechTracker.Worker.BulkCreateBatcher(_jira, Microsoft.Extensions.Options.Options.Create(new MedTechTracker.Worker.WorkerOptions()), TimeProvider.System, NullLogger<MedTechTracker.Worker.BulkCreateBatcher>.Instance), TimeProvider.System, NullLogger<IssueProcessor>.Instance);
        var governor = new MedTechTracker.Jira.JiraRateGovernor(Options.Create(new MedTechTracker.Jira.JiraOptions()), TimeProvider.System, NullLogger<MedTechTracker.Jira.JiraRateGovernor>.Instance);
        return new QueueWorker(queue, processor, new WorkerConcurrency(governor, Options.Create(options)), Options.Create(options), TimeProvider.System, NullLogger<QueueWorker>.Instance);
    }

    private static Task WaitUntil(Func<bool> condition) => Poll.UntilAsync(condition, "the worker got there", Patience);
}
