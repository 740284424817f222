namespace MedTechTracker.Backfill;

public static class BackfillExtensions
{
    /// <summary>The hosted backfill runner. TODO(admin-backfill): implement.</summary>
    public static IHostApplicationBuilder AddBackfill(this IHostApplicationBuilder builder) => builder;
}
