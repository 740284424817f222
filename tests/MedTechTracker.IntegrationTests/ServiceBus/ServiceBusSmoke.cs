using MedTechTracker.Queue;
using MedTechTracker.Queue.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.IntegrationTests.ServiceBus;

/// <summary>
/// A few end-to-end checks of the Service Bus adapter that run unchanged against any namespace: the test broker here,
/// or a real namespace / the official emulator (<see cref="ServiceBusSmokeOnNamespaceTests"/>). The queue must be a
/// dedicated one: each test starts by clearing it.
/// </summary>
public abstract class ServiceBusSmoke : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private Azure.Messaging.ServiceBus.ServiceBusClient? _client;
    private ServiceBusWorkQueue? _queue;

    protected abstract string? ConnectionString { get; }

    protected abstract string QueueName { get; }

    private ServiceBusWorkQueue Queue => _queue ?? throw new InvalidOperationException("Not connected.");

    public async Task InitializeAsync()
    {
        if (ConnectionString is not { Length: > 0 } connectionString)
        {
            return;
        }

        var options = new ServiceBusOptions { ConnectionString = connectionString, TryTimeout = TimeSpan.FromSeconds(15), MaxRetries = 2 };
        _client = ServiceBusQueueExtensions.CreateClient(options);
        var queueOptions = new QueueOptions { Name = QueueName, MaxDeliveryCount = 10, BackoffBase = TimeSpan.FromSeconds(2) };
        _queue = new ServiceBusWorkQueue(_client, Options.Create(queueOptions), Options.Create(options), TimeProvider.System, NullLogger<ServiceBusWorkQueue>.Instance);
        while (await _queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None) is { } leftover)
        {
            await _queue.CompleteAsync(leftover, CancellationToken.None);
        }

        await new ServiceBusDeadLetterQueue(_queue, TimeProvider.System).PurgeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_queue is not null)
        {
            await _queue.DisposeAsync();
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_reference_is_sent_received_renewed_and_completed()
    {
        SkipWithoutNamespace();
        var sent = Reference("SMOKE-1");

        await Queue.EnqueueAsync(sent, CancellationToken.None);
        var leased = await Queue.ReceiveAsync(Wait, CancellationToken.None);

        Assert.NotNull(leased);
        Assert.Equal(sent.MessageId, leased.Message.MessageId);
        Assert.Equal(sent.TraceParent, leased.Message.TraceParent);
        Assert.True(await Queue.RenewLockAsync(leased, CancellationToken.None) >= leased.LockedUntil);
        await Queue.CompleteAsync(leased, CancellationToken.None);
        Assert.Null(await Queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None));
    }

    [SkippableFact]
    public async Task An_abandoned_reference_comes_back_after_its_back_off_with_a_higher_delivery_count()
    {
        SkipWithoutNamespace();
        await Queue.EnqueueAsync(Reference("SMOKE-2"), CancellationToken.None);
        var first = await Queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);

        await Queue.AbandonAsync(first, "smoke test", CancellationToken.None);
        var second = await Queue.ReceiveAsync(Wait, CancellationToken.None);

        Assert.NotNull(second);
        Assert.Equal(first.Message.MessageId, second.Message.MessageId);
        Assert.Equal(2, second.DeliveryCount);
        await Queue.CompleteAsync(second, CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_dead_letter_keeps_its_reason_and_replays_to_the_queue()
    {
        SkipWithoutNamespace();
        var deadLetters = new ServiceBusDeadLetterQueue(Queue, TimeProvider.System);
        await Queue.EnqueueAsync(Reference("SMOKE-3"), CancellationToken.None);
        var leased = await Queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(leased);

        await Queue.DeadLetterAsync(leased, "SMOKE-3: smoke test dead letter", CancellationToken.None);

        var letter = Assert.Single(await deadLetters.ListAsync(10, CancellationToken.None));
        Assert.Equal("SMOKE-3: smoke test dead letter", letter.Reason);
        Assert.True(await deadLetters.ReplayAsync(letter.Id, CancellationToken.None));
        var replayed = await Queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(replayed);
        Assert.Equal("SMOKE-3", replayed.Message.IssueKey);
        await Queue.CompleteAsync(replayed, CancellationToken.None);
    }

    private void SkipWithoutNamespace() =>
        Skip.If(_queue is null, "MTC_SERVICEBUS_CONNECTION is not set: no Service Bus namespace (or emulator) to smoke-test against.");

    private static IssueReference Reference(string issueKey) =>
        new(Guid.NewGuid().ToString(), "10001", issueKey, "SMOKE", DateTimeOffset.UtcNow, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
}
