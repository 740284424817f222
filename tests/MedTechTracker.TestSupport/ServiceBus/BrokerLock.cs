namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>A delivered, unsettled message: who holds it and until when.</summary>
internal sealed class BrokerLock(BrokerEntry entry, DateTime lockedUntil)
{
    public BrokerEntry Entry { get; } = entry;

    public DateTime LockedUntil { get; set; } = lockedUntil;
}
