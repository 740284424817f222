namespace MedTechTracker.Queue.Amqp;

public static class AmqpQueueExtensions
{
    /// <summary>Service Bus / generic AMQP 1.0 queue adapter. TODO(scaleout): implement.</summary>
    public static IHostApplicationBuilder AddAmqpQueue(this IHostApplicationBuilder builder) =>
        throw new NotSupportedException("The AMQP queue adapter is not available in this build.");
}
