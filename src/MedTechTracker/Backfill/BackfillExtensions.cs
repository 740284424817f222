using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedTechTracker.Backfill;

public static class BackfillExtensions
{
    /// <summary>Backfill job management and runner (used by the admin API and the CLI), without the hosted runner.</summary>
    public static IHostApplicationBuilder AddBackfillServices(this IHostApplicationBuilder builder)
    {
        // Both the admin (ingress) and the runner (worker) need these; `serve` asks twice.
        if (builder.Services.Any(d => d.ServiceType == typeof(BackfillJobs)))
        {
            return builder;
        }

        builder.Services.AddOptions<BackfillOptions>().BindConfiguration(BackfillOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<BackfillJobs>();
        builder.Services.TryAddSingleton<BackfillRunner>();
        return builder;
    }

    /// <summary>The hosted backfill runner (serve/worker roles).</summary>
    public static IHostApplicationBuilder AddBackfill(this IHostApplicationBuilder builder)
    {
        builder.AddBackfillServices();
        builder.Services.AddHostedService<BackfillHostedService>();
        return builder;
    }
}
