namespace MedTechTracker.Storage;

/// <summary>Progress counters of a backfill job: numbers only, never an issue list.</summary>
public sealed record BackfillCounters(long Scanned = 0, long Matched = 0, long Created = 0, long AlreadyPresent = 0, long Failed = 0)
{
    public static readonly BackfillCounters Zero = new();

    public BackfillCounters Add(BackfillCounters other) => new(
        Scanned + other.Scanned,
        Matched + other.Matched,
        Created + other.Created,
        AlreadyPresent + other.AlreadyPresent,
        Failed + other.Failed);
}
