namespace MedTechTracker.Queue;

public enum QueueProvider
{
    Sqlite,
    ServiceBus,
    Amqp,
}
