using MedTechTracker.Queue;
using MedTechTracker.Queue.Amqp;
using Microsoft.Extensions.Logging.Abstractions;

namespace MedTechTracker.IntegrationTests.Amqp;

/// <summary>The RabbitMQ (AMQP 1.0) broker that scripts/test-deps.d/20-rabbitmq.sh starts; tests fail, not skip, without it.</summary>
internal static class AmqpTestBroker
{
    public static string Address =>
        Environment.GetEnvironmentVariable("MTC_TEST_AMQP_ADDRESS")
        ?? throw new InvalidOperationException("MTC_TEST_AMQP_ADDRESS is not set: run the tests through scripts/test.sh (it starts RabbitMQ).");

    public static string NodeScript =>
        Environment.GetEnvironmentVariable("MTC_TEST_RABBITMQ_NODE")
        ?? throw new InvalidOperationException("MTC_TEST_RABBITMQ_NODE is not set: run the tests through scripts/test.sh.");

    public static string UniqueQueueName(string prefix) => $"mtc-test-{prefix}-{Guid.NewGuid():N}"[..40];

    public static AmqpQueueSettings Settings(string queueName, string? address = null, int maxDeliveryCount = 10, int prefetch = 50) =>
        AmqpQueueSettings.From(new AmqpQueueOptions
        {
            Provider = "Amqp",
            Name = queueName,
            MaxDeliveryCount = maxDeliveryCount,
            Prefetch = prefetch,
            BackoffBase = TimeSpan.Zero,
            Amqp = new GenericAmqpOptions { Address = address ?? Address },
        }) with
        {
            MaxReconnectDelay = TimeSpan.FromSeconds(2),
            OperationTimeout = TimeSpan.FromSeconds(60),
        };

    public static (AmqpWorkQueue Queue, AmqpDeadLetterQueue DeadLetters, AmqpConnectionManager Connections) Create(AmqpQueueSettings settings)
    {
        var connections = new AmqpConnectionManager(settings, TimeProvider.System, NullLogger<AmqpConnectionManager>.Instance);
        var queue = new AmqpWorkQueue(connections, TimeProvider.System, NullLogger<AmqpWorkQueue>.Instance);
        return (queue, new AmqpDeadLetterQueue(queue, TimeProvider.System), connections);
    }

    public static IssueReference Reference(string messageId, string issueKey, string? traceParent = null) =>
        new(messageId, "1" + issueKey.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture), issueKey, issueKey.Split('-')[0], DateTimeOffset.UtcNow, traceParent);
}
