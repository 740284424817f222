namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>The queue properties Service Bus lets an operator set, with the defaults of a new queue.</summary>
public sealed record BrokerQueueOptions
{
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A message is dead-lettered (reason MaxDeliveryCountExceeded) instead of being delivered once more.</summary>
    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>Receivers must lock a session (the messages of one session id) and get only its messages, one receiver per session.</summary>
    public bool RequiresSession { get; init; }

    /// <summary>Zero turns duplicate detection off.</summary>
    public TimeSpan DuplicateDetectionWindow { get; init; } = TimeSpan.FromMinutes(10);
}
