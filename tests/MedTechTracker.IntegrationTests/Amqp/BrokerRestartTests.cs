using System.Collections.Concurrent;
using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Amqp;

public sealed class BrokerRestartTests
{
    [Fact]
    public async Task Broker_restarted_mid_stream_loses_no_message_and_the_duplicate_check_keeps_effects_single()
    {
        await using var node = await RabbitMqNode.StartAsync();
        var settings = AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("restart"), node.Address, prefetch: 20);
        var (queue, _, connections) = AmqpTestBroker.Create(settings);
        await using var _ = connections;
        const int total = 300;

        // The worker's rule, in miniature: an effect happens only if the issue does not have it yet (Jira's sub-tasks).
        var effects = new ConcurrentDictionary<string, int>();
        var deliveries = 0;
        using var stop = new CancellationTokenSource();
        var consumers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                LeasedMessage? leased;
                try
                {
                    leased = await queue.ReceiveAsync(TimeSpan.FromSeconds(1), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (leased is null)
                {
                    continue;
                }

                Interlocked.Increment(ref deliveries);
                effects.TryAdd(leased.Message.IssueKey, 0);
                effects.AddOrUpdate(leased.Message.IssueKey, 1, (_, n) => n);
                await Task.Delay(5);
                try
                {
                    await queue.CompleteAsync(leased, CancellationToken.None);
                }
                catch (MessageLockLostException)
                {
                    // The connection died with the message unsettled: the broker hands it out again.
                }
            }
        })).ToList();

        var senders = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await queue.EnqueueAsync(AmqpTestBroker.Reference($"webhook-{i}", $"MED-{i}"), CancellationToken.None);
                if (i == total / 3)
                {
                    await node.StopAsync();
                    await node.StartAgainAsync();
                }
            }
        });

        await senders;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (effects.Count < total && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        // Let redeliveries of messages whose settlement was lost with the old connection come through as well.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(consumers);

        Assert.Equal(total, effects.Count);
        Assert.All(effects.Values, n => Assert.Equal(1, n));
        Assert.True(deliveries >= total);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None));
    }
}
