using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Amqp;

/// <summary>What the generic AMQP adapter does when RabbitMQ is away (the queue contract itself: Queue/Contract).</summary>
public sealed class AmqpQueueOnRabbitMqTests
{
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
