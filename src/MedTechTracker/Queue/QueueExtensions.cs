namespace MedTechTracker.Queue;

public static class QueueExtensions
{
    /// <summary>Work queue, chosen by Queue:Provider (Sqlite default, ServiceBus, Amqp). TODO(embedded): implement.</summary>
    public static IHostApplicationBuilder AddQueue(this IHostApplicationBuilder builder) => builder;
}
