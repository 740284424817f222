using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Worker;

public static class WorkerExtensions
{
    /// <summary>The hosted worker that drains the queue, and the per-message processor.</summary>
    public static IHostApplicationBuilder AddWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FiredRulesLedger>();
        builder.Services.AddSingleton<IssueProcessor>();
        builder.Services.AddSingleton<BulkCreateBatcher>();
        builder.Services.AddSingleton<WorkerConcurrency>();
        builder.Services.AddHostedService<QueueWorker>();

        // The host must wait for the drain plus the settling of what is abandoned, or unfinished leases are left to expire.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
        {
            var needed = worker.Value.ShutdownDrainTimeout + TimeSpan.FromSeconds(15);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return builder;
    }
}
