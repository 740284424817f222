using MedTechTracker.IntegrationTests.Amqp;
using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>The contract on the generic AMQP 1.0 adapter against the real RabbitMQ that scripts/test.sh starts.</summary>
public sealed class RabbitMqQueueContractTests : QueueContract
{
    protected override string? Unsupported(QueueCapability capability) => capability switch
    {
        QueueCapability.DuplicateDetection => "RabbitMQ has no duplicate detection: both copies are delivered, and the worker's check of existing sub-tasks makes the second harmless",
        QueueCapability.LockExpiry => "A generic AMQP broker holds an unsettled delivery for as long as its link lives: the lock is lost only with the connection (see BrokerRestartTests)",
        QueueCapability.CoalescesEdits => "A generic AMQP broker can neither be asked what is waiting nor drop a repeated message id: every edit is a message, and each costs one read of the issue and creates nothing twice",
        QueueCapability.CountsLostDeliveries => "RabbitMQ's AMQP 1.0 plugin does not track delivery-count: a delivery lost with its connection comes back as the first (the adapter counts only its own re-sends)",
        QueueCapability.ReceivesInBatches => "The generic AMQP adapter receives one message per call (the port's default); its link credit still prefetches",
        _ => null,
    };

    protected override Task<QueueUnderTest> OpenAsync(string name, ContractSettings settings)
    {
        var (queue, deadLetters, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(name, maxDeliveryCount: settings.MaxDeliveryCount) with
        {
            BackoffBase = settings.BackoffBase,
            GenericLockDuration = settings.LockDuration,
        });
        return Task.FromResult(new QueueUnderTest(queue, deadLetters, new AsyncDisposables(queue.DisposeAsync, connections.DisposeAsync)));
    }
}
