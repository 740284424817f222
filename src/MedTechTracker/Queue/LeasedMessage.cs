namespace MedTechTracker.Queue;

/// <summary>A message received under a peek-lock: it must be completed, abandoned or dead-lettered.</summary>
public sealed record LeasedMessage(IssueReference Message, string LockToken, int DeliveryCount, DateTimeOffset LockedUntil);
