namespace MedTechTracker.Admin;

public static class AdminExtensions
{
    /// <summary>Admin API and page services. TODO(admin-backfill): implement.</summary>
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder) => builder;

    /// <summary>/admin and /admin/api. TODO(admin-backfill): implement.</summary>
    public static WebApplication MapAdmin(this WebApplication app) => app;
}
