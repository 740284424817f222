using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Amqp;

public sealed class AmqpQueueOnRabbitMqTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sent_reference_is_received_with_its_trace_context_and_is_gone_once_completed()
    {
        var (queue, _, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("rt")));
        await using var _ = connections;
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var sent = AmqpTestBroker.Reference("webhook-1", "MED-1", traceParent) with { TraceState = "vendor=1" };

        Assert.Equal(EnqueueOutcome.Enqueued, await queue.EnqueueAsync(sent, CancellationToken.None));
        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);

        Assert.NotNull(leased);
        Assert.Equal(sent.MessageId, leased.Message.MessageId);
        Assert.Equal("MED-1", leased.Message.IssueKey);
        Assert.Equal(sent.IssueId, leased.Message.IssueId);
        Assert.Equal(traceParent, leased.Message.TraceParent);
        Assert.Equal("vendor=1", leased.Message.TraceState);
        Assert.Equal(1, leased.DeliveryCount);
        Assert.True(leased.LockedUntil > DateTimeOffset.UtcNow);
        Assert.True(await queue.RenewLockAsync(leased, CancellationToken.None) > DateTimeOffset.UtcNow);

        await queue.CompleteAsync(leased, CancellationToken.None);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None));
    }

    [Fact]
    public async Task Abandoned_message_comes_back_with_its_delivery_count_increased()
    {
        var (queue, _, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("ab")));
        await using var _ = connections;
        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-2", "MED-2"), CancellationToken.None);

        var first = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);
        await queue.AbandonAsync(first, "Jira answered 503", CancellationToken.None);
        var second = await queue.ReceiveAsync(Wait, CancellationToken.None);

        Assert.NotNull(second);
        Assert.Equal("webhook-2", second.Message.MessageId);
        Assert.Equal(2, second.DeliveryCount);
        await queue.CompleteAsync(second, CancellationToken.None);
    }

    [Fact]
    public async Task Poison_message_is_dead_lettered_after_the_maximum_deliveries_and_replay_puts_it_back()
    {
        var (queue, deadLetters, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("poison"), maxDeliveryCount: 3));
        await using var _ = connections;
        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-poison", "MED-3"), CancellationToken.None);

        var deliveries = 0;
        while (await queue.ReceiveAsync(TimeSpan.FromSeconds(3), CancellationToken.None) is { } leased)
        {
            deliveries++;
            Assert.Equal(deliveries, leased.DeliveryCount);
            await queue.AbandonAsync(leased, "Jira answered 500", CancellationToken.None);
            Assert.True(deliveries <= 3, "the message came back after its last allowed delivery");
        }

        Assert.Equal(3, deliveries);
        var letters = await deadLetters.ListAsync(10, CancellationToken.None);
        var letter = Assert.Single(letters);
        Assert.Equal("webhook-poison", letter.Id);
        Assert.Equal("MED-3", letter.Message.IssueKey);
        Assert.Equal(3, letter.DeliveryCount);
        Assert.Contains("Jira answered 500", letter.Reason, StringComparison.Ordinal);
        Assert.NotNull(await deadLetters.GetAsync("webhook-poison", CancellationToken.None));

        Assert.True(await deadLetters.ReplayAsync("webhook-poison", CancellationToken.None));
        var replayed = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(replayed);
        Assert.Equal("MED-3", replayed.Message.IssueKey);
        Assert.Equal(1, replayed.DeliveryCount);
        await queue.CompleteAsync(replayed, CancellationToken.None);
        Assert.Empty(await deadLetters.ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Dead_letters_can_be_listed_replayed_all_and_purged()
    {
        var (queue, deadLetters, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("dlq")));
        await using var _ = connections;
        for (var i = 0; i < 4; i++)
        {
            await queue.EnqueueAsync(AmqpTestBroker.Reference($"webhook-dl-{i}", $"MED-{10 + i}"), CancellationToken.None);
        }

        for (var i = 0; i < 4; i++)
        {
            var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
            Assert.NotNull(leased);
            await queue.DeadLetterAsync(leased, $"Jira 400 for {leased.Message.IssueKey}: field 'components' is required", CancellationToken.None);
        }

        Assert.Equal(4, (await deadLetters.ListAsync(100, CancellationToken.None)).Count);
        Assert.Equal(2, (await deadLetters.ListAsync(2, CancellationToken.None)).Count);
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

    [Fact]
    public async Task Second_message_of_an_issue_waits_until_the_first_is_settled()
    {
        var (queue, _, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("key")));
        await using var _ = connections;
        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-a", "MED-7"), CancellationToken.None);
        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-b", "MED-7"), CancellationToken.None);
        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-c", "MED-8"), CancellationToken.None);

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

    [Fact]
    public async Task Unreachable_broker_makes_enqueue_fail_so_ingress_can_answer_503()
    {
        var port = FreePort.Next();
        var settings = AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("down"), $"amqp://guest:guest@127.0.0.1:{port}") with { OperationTimeout = TimeSpan.FromSeconds(3), SendTimeout = TimeSpan.FromSeconds(3) };
        var (queue, _, connections) = AmqpTestBroker.Create(settings);
        await using var _ = connections;

        await Assert.ThrowsAsync<MedTechTracker.Queue.Amqp.AmqpQueueUnavailableException>(
            () => queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-x", "MED-9"), CancellationToken.None));
        await Assert.ThrowsAsync<MedTechTracker.Queue.Amqp.AmqpQueueUnavailableException>(() => queue.GetStatisticsAsync(CancellationToken.None));
    }
}
