namespace MedTechTracker.Storage;

/// <summary>Backfill jobs and their counters. Adapters: SQLite (default), Azure Table Storage.</summary>
public interface IBackfillStore
{
    Task<BackfillJob> CreateAsync(BackfillJob job, CancellationToken cancellationToken);

    Task<BackfillJob?> GetAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<BackfillJob>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the job only if its <see cref="BackfillJob.ETag"/> still matches the stored one;
    /// returns the stored job with its new ETag, or null when someone else updated it first.
    /// </summary>
    Task<BackfillJob?> TryReplaceAsync(BackfillJob job, CancellationToken cancellationToken);
}
