namespace MedTechTracker.Queue.Amqp;

/// <summary>How the adapter talks to the broker: the two differ in settlement, delivery counting, dead-lettering and management.</summary>
public enum AmqpDialect
{
    /// <summary>Azure Service Bus: Modified for abandon, Rejected with com.microsoft:dead-letter, $DeadLetterQueue, $management renew-lock, $cbs, sessions.</summary>
    ServiceBus,

    /// <summary>
    /// Any AMQP 1.0 broker (RabbitMQ's amqp1_0 plugin in the tests): abandon re-sends the message with its attempt
    /// count + 1 and accepts the original, dead-letter sends to "&lt;queue&gt;.deadletter" and accepts the original.
    /// </summary>
    Generic,
}
