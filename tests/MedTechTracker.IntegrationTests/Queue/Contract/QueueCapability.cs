namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>Points of the queue contract that an adapter may be unable to honour (it must then say why).</summary>
public enum QueueCapability
{
    DuplicateDetection,
    OneLeasePerIssueKey,
    LockExpiry,
    CountsLostDeliveries,
    CoalescesEdits,
    ReceivesInBatches,
}
