namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>One stored message: its encoded AMQP sections (a private copy) and the broker's bookkeeping.</summary>
internal sealed class BrokerEntry(byte[] encoded, long sequenceNumber, DateTime enqueuedAt, DateTime visibleAt, string? sessionId = null)
{
    public string? SessionId { get; } = sessionId;

    public byte[] Encoded { get; set; } = encoded;

    public long SequenceNumber { get; } = sequenceNumber;

    public DateTime EnqueuedAt { get; } = enqueuedAt;

    /// <summary>Later than now for a scheduled message.</summary>
    public DateTime VisibleAt { get; set; } = visibleAt;

    /// <summary>Deliveries so far; the header of the next delivery carries this value (the SDK shows it plus one).</summary>
    public int DeliveryCount { get; set; }
}
