using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Backfill;

public sealed class BackfillOptions
{
    public const string Section = "Backfill";

    /// <summary>Ceiling on Jira requests per second shared by all of one job's calls; 0 turns throttling off.</summary>
    [Range(0, 10_000)]
    public int RequestsPerSecond { get; set; } = 10;

    /// <summary>Issues per search page (Jira caps this at 100 for issues with fields; larger values are accepted for stubs).</summary>
    [Range(1, 5_000)]
    public int PageSize { get; set; } = 100;

    /// <summary>How often the hosted runner looks for queued jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A Running job whose record was not touched for this long is taken to be orphaned (its process died)
    /// and is picked up again; a live runner touches it after every page and in between.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts at one page when Jira keeps failing transiently (after the client's own retries).</summary>
    [Range(1, 100)]
    public int PageAttempts { get; set; } = 5;
}
