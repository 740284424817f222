namespace MedTechTracker.Queue;

public sealed record QueueStatistics(long ActiveCount, long DeadLetterCount, DateTimeOffset? OldestEnqueuedAt);
