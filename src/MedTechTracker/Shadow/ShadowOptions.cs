using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Shadow;

/// <summary>The in-memory Shadow report, bound from the "Shadow" section.</summary>
public sealed class ShadowOptions
{
    public const string Section = "Shadow";

    /// <summary>How many of the most recent decisions are kept per project (older ones drop out; counts keep counting).</summary>
    [Range(1, 1000)]
    public int RecentDecisions { get; set; } = 50;

    /// <summary>How many projects are tracked at most; decisions for further projects are counted nowhere (and logged as usual).</summary>
    [Range(1, 10_000)]
    public int MaxProjects { get; set; } = 500;
}
