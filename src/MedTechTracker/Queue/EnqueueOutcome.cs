namespace MedTechTracker.Queue;

public enum EnqueueOutcome
{
    /// <summary>The message is durable.</summary>
    Enqueued,

    /// <summary>A message with the same id was seen inside the duplicate-detection window; nothing was added.</summary>
    Duplicate,

    /// <summary>A <see cref="IssueReference.Coalesce"/> message found a message of the same issue already waiting; nothing was added.</summary>
    Coalesced,
}
