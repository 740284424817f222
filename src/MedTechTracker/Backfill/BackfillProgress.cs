using MedTechTracker.Storage;

namespace MedTechTracker.Backfill;

/// <summary>What a progress bar shows: share of the estimate scanned, issues per second, time left.</summary>
public sealed record BackfillProgress(double? Percent, double? IssuesPerSecond, TimeSpan? Eta)
{
    public static BackfillProgress Of(BackfillJob job, DateTimeOffset now)
    {
        var scanned = job.Counters.Scanned;
        double? percent = job.Status == BackfillStatus.Completed
            ? 100
            : job.EstimatedTotal is > 0 and var total ? Math.Min(100, 100.0 * scanned / total) : null;
        var end = job.FinishedAt ?? (job.IsActive ? now : job.UpdatedAt);
        var elapsed = job.StartedAt is { } started ? (end - started).TotalSeconds : 0;
        double? rate = elapsed > 0.5 && scanned > 0 ? scanned / elapsed : null;
        TimeSpan? eta = job.IsActive && rate is > 0 && job.EstimatedTotal is { } estimate
            ? TimeSpan.FromSeconds(Math.Max(0, estimate - scanned) / rate.Value)
            : null;
        return new BackfillProgress(percent, rate, eta);
    }
}
