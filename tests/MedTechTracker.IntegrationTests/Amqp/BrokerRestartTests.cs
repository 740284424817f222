using System.Collections.Concurrent;
using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Amqp;

public sealed class BrokerRestartTests
{
    [Fact]
    public async Task Broker_restarted_mid_stream_loses_no_message_and_redelivers_only_what_was_in_flight()
    {
        await using var node = await RabbitMqNode.StartAsync();
        var settings = AmqpTestBroker.Settings(AmqpTestBroker.UniqueQueueName("restart"), node.Address, prefetch: 20);
        var (queue, _, connections) = AmqpTestBroker.Create(settings);
        await using var _ = connections;
        const int total = 300;

        // Deliveries per issue: more than one only for messages unsettled (or unconfirmed) when the broker went down,
        // which the worker's sub-task check turns into no-ops.
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
                effects.AddOrUpdate(leased.Message.IssueKey, 1, (_, n) => n + 1);
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

        await senders.WaitAsync(TimeSpan.FromMinutes(5));
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (effects.Count < total && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        // Let redeliveries of messages whose settlement was lost with the old connection come through as well.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(consumers).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(total, effects.Count);
        var redelivered = effects.Count(e => e.Value > 1);
        Assert.True(redelivered <= settings.Prefetch + 8, $"{redelivered} messages came twice: more than were in flight at the restart");
        Assert.Equal(deliveries, effects.Values.Sum());
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(2), CancellationToken.None));
    }
}
