namespace MedTechTracker.Storage;

/// <summary>
/// A backfill job and its checkpoint. Only what resuming needs is stored: the page cursor,
/// the created-date of the last checkpointed issue, the counters and the status; no issue text, no issue list.
/// </summary>
public sealed record BackfillJob
{
    public required string Id { get; init; }
    public required string ProjectKey { get; init; }
    public string? UserJql { get; init; }
    public DateTimeOffset? CreatedAfter { get; init; }
    public bool DryRun { get; init; }
    public BackfillStatus Status { get; init; } = BackfillStatus.Queued;
    public bool CancelRequested { get; init; }
    public string? NextPageToken { get; init; }

    /// <summary>The <c>created</c> time of the last issue of the last checkpointed page: an expired page token restarts from here.</summary>
    public DateTimeOffset? CheckpointCreated { get; init; }

    public BackfillCounters Counters { get; init; } = BackfillCounters.Zero;
    public long? EstimatedTotal { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }
    public string? RequestedBy { get; init; }

    /// <summary>Optimistic-concurrency version (an ETag on Azure Tables, a row version on SQLite).</summary>
    public string? ETag { get; init; }

    public bool IsActive => Status is BackfillStatus.Queued or BackfillStatus.Running;
}
