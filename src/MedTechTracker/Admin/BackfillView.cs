using MedTechTracker.Backfill;
using MedTechTracker.Storage;

namespace MedTechTracker.Admin;

/// <summary>A job with its progress (the page cursor stays internal).</summary>
public sealed record BackfillView(
    string Id,
    string Project,
    string? Jql,
    DateTimeOffset? CreatedAfter,
    bool DryRun,
    string Status,
    bool CancelRequested,
    BackfillCounters Counters,
    long? EstimatedTotal,
    double? Percent,
    double? IssuesPerSecond,
    double? EtaSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? RequestedBy)
{
    public static BackfillView Of(BackfillJob job, DateTimeOffset now)
    {
        var progress = BackfillProgress.Of(job, now);
        return new(
            job.Id,
            job.ProjectKey,
            job.UserJql,
            job.CreatedAfter,
            job.DryRun,
            job.Status.ToString(),
            job.CancelRequested,
            job.Counters,
            job.EstimatedTotal,
            progress.Percent is { } p ? Math.Round(p, 1) : null,
            progress.IssuesPerSecond is { } r ? Math.Round(r, 1) : null,
            progress.Eta?.TotalSeconds is { } s ? Math.Round(s) : null,
            job.CreatedAt,
            job.StartedAt,
            job.UpdatedAt,
            job.FinishedAt,
            job.Error,
            job.RequestedBy);
    }
}
