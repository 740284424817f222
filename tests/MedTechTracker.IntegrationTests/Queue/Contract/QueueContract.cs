using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>
/// The one queue contract every adapter passes (SQLite, Service Bus through the SDK, RabbitMQ over AMQP 1.0), on real
/// clocks and real brokers. A point an adapter cannot honour is skipped with the adapter's reason, never left out.
/// </summary>
public abstract class QueueContract : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<IAsyncDisposable> _owners = [];
    private string _name = "";

    public Task InitializeAsync()
    {
        _name = $"contract-{Guid.NewGuid():N}"[..30];
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var owner in _owners)
        {
            await owner.DisposeAsync();
        }

        await DisposeAdapterAsync();
    }

    [SkippableFact]
    public async Task A_received_message_carries_every_reference_field_stays_leased_and_is_gone_once_completed()
    {
        var (queue, _) = await OpenAsync(new ContractSettings());
        var sent = Reference("MED-1") with { TraceState = "vendor=1" };

        await queue.EnqueueAsync(sent, CancellationToken.None);
        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);

        Assert.NotNull(leased);
        Assert.Equal(sent with { ReceivedAt = leased.Message.ReceivedAt }, leased.Message);
        Assert.Equal(sent.ReceivedAt.ToUnixTimeMilliseconds(), leased.Message.ReceivedAt.ToUnixTimeMilliseconds());
        Assert.Equal(1, leased.DeliveryCount);
        Assert.True(leased.LockedUntil > DateTimeOffset.UtcNow);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(1), CancellationToken.None));

        await queue.CompleteAsync(leased, CancellationToken.None);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    [SkippableFact]
    public async Task Renewing_the_lock_keeps_the_message_leased_past_its_first_expiry()
    {
        var (queue, _) = await OpenAsync(new ContractSettings { LockDuration = TimeSpan.FromSeconds(3) });
        await queue.EnqueueAsync(Reference("MED-2"), CancellationToken.None);
        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(leased);

        var firstExpiry = leased.LockedUntil;
        var renewedUntil = firstExpiry;
        while (DateTimeOffset.UtcNow < firstExpiry + TimeSpan.FromSeconds(1))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            renewedUntil = await queue.RenewLockAsync(leased, CancellationToken.None);
        }

        Assert.True(renewedUntil > firstExpiry);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None));
        await queue.CompleteAsync(leased, CancellationToken.None);
    }

    [SkippableFact]
    public async Task An_abandoned_message_stays_away_for_its_back_off_then_comes_back_with_a_higher_delivery_count()
    {
        var (queue, _) = await OpenAsync(new ContractSettings { BackoffBase = TimeSpan.FromSeconds(6) });
        await queue.EnqueueAsync(Reference("MED-3"), CancellationToken.None);
        var first = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);

        await queue.AbandonAsync(first, "Jira answered 503", CancellationToken.None);

        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        var second = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(second);
        Assert.Equal(first.Message.MessageId, second.Message.MessageId);
        Assert.Equal(2, second.DeliveryCount);
        await queue.CompleteAsync(second, CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_deferred_message_comes_back_at_its_time_without_counting_a_delivery()
    {
        var (queue, _) = await OpenAsync(new ContractSettings { MaxDeliveryCount = 1 });
        await queue.EnqueueAsync(Reference("MED-4"), CancellationToken.None);
        var first = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);

        await queue.DeferAsync(first, DateTimeOffset.UtcNow.AddSeconds(5), "Jira rate window closed", CancellationToken.None);

        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        var again = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(again);
        Assert.Equal(first.Message.MessageId, again.Message.MessageId);

        // With one allowed delivery, a counted deferral would have dead-lettered it.
        Assert.Equal(1, again.DeliveryCount);
        await queue.CompleteAsync(again, CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_message_abandoned_at_the_maximum_delivery_count_is_dead_lettered_and_replay_brings_it_back_fresh()
    {
        var (queue, deadLetters) = await OpenAsync(new ContractSettings { MaxDeliveryCount = 3 });
        await queue.EnqueueAsync(Reference("MED-5"), CancellationToken.None);

        var deliveries = 0;
        while (await queue.ReceiveAsync(TimeSpan.FromSeconds(3), CancellationToken.None) is { } leased)
        {
            deliveries++;
            Assert.Equal(deliveries, leased.DeliveryCount);
            await queue.AbandonAsync(leased, "Jira answered 500 for MED-5", CancellationToken.None);
            Assert.True(deliveries <= 3, "the message came back after its last allowed delivery");
        }

        Assert.Equal(3, deliveries);
        var letter = Assert.Single(await deadLetters.ListAsync(10, CancellationToken.None));
        Assert.Equal("MED-5", letter.Message.IssueKey);
        Assert.Equal(3, letter.DeliveryCount);
        Assert.Contains("Jira answered 500 for MED-5", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(letter.Message.MessageId, (await deadLetters.GetAsync(letter.Id, CancellationToken.None))?.Message.MessageId);

        Assert.True(await deadLetters.ReplayAsync(letter.Id, CancellationToken.None));
        var replayed = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(replayed);
        Assert.Equal("MED-5", replayed.Message.IssueKey);
        Assert.Equal(1, replayed.DeliveryCount);
        await queue.CompleteAsync(replayed, CancellationToken.None);
        Assert.Empty(await deadLetters.ListAsync(10, CancellationToken.None));
    }

    [SkippableFact]
    public async Task Dead_letters_keep_their_reason_and_are_listed_replayed_all_and_purged()
    {
        var (queue, deadLetters) = await OpenAsync(new ContractSettings());
        for (var i = 0; i < 4; i++)
        {
            await queue.EnqueueAsync(Reference($"MED-{10 + i}"), CancellationToken.None);
        }

        for (var i = 0; i < 4; i++)
        {
            var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
            Assert.NotNull(leased);
            await queue.DeadLetterAsync(leased, $"Jira 400 for {leased.Message.IssueKey}: field 'components' is required", CancellationToken.None);
        }

        var letters = await deadLetters.ListAsync(100, CancellationToken.None);
        Assert.Equal(4, letters.Count);
        Assert.All(letters, l => Assert.Equal($"Jira 400 for {l.Message.IssueKey}: field 'components' is required", l.Reason));
        Assert.Equal(2, (await deadLetters.ListAsync(2, CancellationToken.None)).Count);
        Assert.Null(await deadLetters.GetAsync("999999", CancellationToken.None));
        Assert.False(await deadLetters.ReplayAsync("999999", CancellationToken.None));
        Assert.Equal(4, await deadLetters.ReplayAllAsync(CancellationToken.None));
        Assert.Empty(await deadLetters.ListAsync(100, CancellationToken.None));

        for (var i = 0; i < 4; i++)
        {
            var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
            Assert.NotNull(leased);
            await queue.DeadLetterAsync(leased, "again", CancellationToken.None);
        }

        Assert.Equal(4, await deadLetters.PurgeAsync(CancellationToken.None));
        Assert.Empty(await deadLetters.ListAsync(100, CancellationToken.None));
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    [SkippableFact]
    public async Task The_same_message_id_twice_is_received_once()
    {
        SkipUnless(QueueCapability.DuplicateDetection);
        var (queue, _) = await OpenAsync(new ContractSettings());
        var message = Reference("MED-20");

        await queue.EnqueueAsync(message, CancellationToken.None);
        await queue.EnqueueAsync(message with { ReceivedAt = message.ReceivedAt.AddSeconds(1) }, CancellationToken.None);

        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(leased);
        await queue.CompleteAsync(leased, CancellationToken.None);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None));
    }

    [SkippableFact]
    public async Task Twenty_edits_of_one_issue_sent_at_once_are_received_as_at_most_two_messages()
    {
        SkipUnless(QueueCapability.CoalescesEdits);
        var (queue, _) = await OpenAsync(new ContractSettings());

        for (var i = 0; i < 20; i++)
        {
            await queue.EnqueueAsync(Reference("MED-30", $"edit-{i}") with { Coalesce = true }, CancellationToken.None);
        }

        await queue.EnqueueAsync(Reference("MED-31", "edit-other") with { Coalesce = true }, CancellationToken.None);
        var received = new List<string>();
        while (await queue.ReceiveAsync(received.Count < 2 ? Wait : TimeSpan.FromSeconds(4), CancellationToken.None) is { } leased)
        {
            received.Add(leased.Message.IssueKey);
            await queue.CompleteAsync(leased, CancellationToken.None);
        }

        Assert.Single(received, "MED-31");
        Assert.InRange(received.Count(k => k == "MED-30"), 1, 2);
    }

    [SkippableFact]
    public async Task A_second_message_of_an_issue_waits_until_the_first_is_settled()
    {
        SkipUnless(QueueCapability.OneLeasePerIssueKey);
        var (queue, _) = await OpenAsync(new ContractSettings());
        await queue.EnqueueAsync(Reference("MED-7", "webhook-a"), CancellationToken.None);
        await queue.EnqueueAsync(Reference("MED-7", "webhook-b"), CancellationToken.None);
        await queue.EnqueueAsync(Reference("MED-8", "webhook-c"), CancellationToken.None);

        var first = await queue.ReceiveAsync(Wait, CancellationToken.None);
        var other = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);
        Assert.NotNull(other);
        Assert.Equal(["MED-7", "MED-8"], new[] { first.Message.IssueKey, other.Message.IssueKey });
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None));

        await queue.CompleteAsync(first, CancellationToken.None);
        var second = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(second);
        Assert.Equal("webhook-b", second.Message.MessageId);
        await queue.CompleteAsync(second, CancellationToken.None);
        await queue.CompleteAsync(other, CancellationToken.None);
    }

    [SkippableFact]
    public async Task Waiting_messages_are_leased_several_at_once_and_never_more_than_asked()
    {
        SkipUnless(QueueCapability.ReceivesInBatches);
        var (queue, _) = await OpenAsync(new ContractSettings());
        string[] keys = ["MED-40", "MED-41", "MED-42", "MED-43", "MED-44"];
        foreach (var key in keys)
        {
            await queue.EnqueueAsync(Reference(key), CancellationToken.None);
        }

        var batches = new List<IReadOnlyList<LeasedMessage>>();
        while (batches.Sum(b => b.Count) < keys.Length && await queue.ReceiveBatchAsync(3, Wait, CancellationToken.None) is { Count: > 0 } batch)
        {
            batches.Add(batch);
        }

        var received = batches.SelectMany(b => b).ToList();
        Assert.Equal(keys, received.Select(m => m.Message.IssueKey).Order());
        Assert.All(batches, b => Assert.InRange(b.Count, 1, 3));
        Assert.Contains(batches, b => b.Count > 1);
        foreach (var message in received)
        {
            await queue.CompleteAsync(message, CancellationToken.None);
        }

        Assert.Empty(await queue.ReceiveBatchAsync(3, TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    [SkippableFact]
    public async Task A_message_left_unsettled_by_an_instance_that_stopped_is_delivered_to_another()
    {
        var again = await RedeliveredAfterAStopAsync("MED-9");

        Assert.Equal("MED-9", again.Message.IssueKey);
    }

    [SkippableFact]
    public async Task A_delivery_lost_with_a_stopped_instance_still_counts()
    {
        SkipUnless(QueueCapability.CountsLostDeliveries);

        var again = await RedeliveredAfterAStopAsync("MED-10");

        Assert.Equal(2, again.DeliveryCount);
    }

    [SkippableFact]
    public async Task Settling_after_the_lock_expired_and_the_message_went_elsewhere_fails_as_lock_lost()
    {
        SkipUnless(QueueCapability.LockExpiry);
        var (queue, _) = await OpenAsync(new ContractSettings { LockDuration = TimeSpan.FromSeconds(2) });
        await queue.EnqueueAsync(Reference("MED-11"), CancellationToken.None);
        var first = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);

        var again = await queue.ReceiveAsync(Wait, CancellationToken.None);

        Assert.NotNull(again);
        Assert.Equal(2, again.DeliveryCount);
        await queue.CompleteAsync(again, CancellationToken.None);
        await Assert.ThrowsAsync<MessageLockLostException>(() => queue.CompleteAsync(first, CancellationToken.None));
    }

    [SkippableFact]
    public async Task Statistics_can_be_read_while_the_queue_is_reachable()
    {
        var (queue, _) = await OpenAsync(new ContractSettings());

        var statistics = await queue.GetStatisticsAsync(CancellationToken.None);

        Assert.True(statistics.ActiveCount is 0 or -1, $"{statistics.ActiveCount} active on an empty queue");
    }

    /// <summary>Null when the adapter honours the point; otherwise why it cannot.</summary>
    protected virtual string? Unsupported(QueueCapability capability) => null;

    /// <summary>A new instance of the adapter (its own connections) on this test's queue, created with these settings.</summary>
    protected abstract Task<QueueUnderTest> OpenAsync(string name, ContractSettings settings);

    protected virtual ValueTask DisposeAdapterAsync() => ValueTask.CompletedTask;

    protected static IssueReference Reference(string issueKey, string? messageId = null) => new(
        messageId ?? Guid.NewGuid().ToString(),
        "10" + (issueKey.GetHashCode(StringComparison.Ordinal) & 0xffff).ToString(System.Globalization.CultureInfo.InvariantCulture),
        issueKey,
        issueKey.Split('-')[0],
        DateTimeOffset.UtcNow,
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    private void SkipUnless(QueueCapability capability)
    {
        var reason = Unsupported(capability);
        Skip.If(reason is not null, reason);
    }

    private async Task<LeasedMessage> RedeliveredAfterAStopAsync(string issueKey)
    {
        var settings = new ContractSettings { LockDuration = TimeSpan.FromSeconds(3) };
        var stopping = await OpenInstanceAsync(settings);
        await stopping.Queue.EnqueueAsync(Reference(issueKey), CancellationToken.None);
        Assert.NotNull(await stopping.Queue.ReceiveAsync(Wait, CancellationToken.None));

        await stopping.Owner.DisposeAsync();

        var (other, _) = await OpenAsync(settings);
        var again = await other.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(again);
        await other.CompleteAsync(again, CancellationToken.None);
        return again;
    }

    private async Task<(IWorkQueue Queue, IDeadLetterQueue DeadLetters)> OpenAsync(ContractSettings settings)
    {
        var instance = await OpenInstanceAsync(settings);
        _owners.Add(instance.Owner);
        return (instance.Queue, instance.DeadLetters);
    }

    private Task<QueueUnderTest> OpenInstanceAsync(ContractSettings settings) => OpenAsync(_name, settings);
}
