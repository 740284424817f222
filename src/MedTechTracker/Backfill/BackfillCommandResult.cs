using MedTechTracker.Storage;

namespace MedTechTracker.Backfill;

public enum BackfillErrorKind
{
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>The job after a start/cancel/resume, or why it was refused (a reason a person can act on).</summary>
public sealed record BackfillCommandResult(BackfillJob? Job, BackfillErrorKind? ErrorKind = null, string? Error = null)
{
    public bool Succeeded => Job is not null && ErrorKind is null;

    public static BackfillCommandResult Ok(BackfillJob job) => new(job);

    public static BackfillCommandResult Fail(BackfillErrorKind kind, string error) => new(null, kind, error);
}
