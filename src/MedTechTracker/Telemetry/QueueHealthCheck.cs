using MedTechTracker.Queue;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MedTechTracker.Telemetry;

/// <summary>Ready when the work queue answers a statistics query.</summary>
internal sealed class QueueHealthCheck(IServiceProvider services, ILogger<QueueHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<IWorkQueue>() is not { } queue)
        {
            return HealthCheckResult.Unhealthy("No work queue is configured.");
        }

        var data = new Dictionary<string, object> { ["implementation"] = queue.GetType().Name };
        try
        {
            var statistics = await queue.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
            data["active"] = statistics.ActiveCount;
            data["deadLettered"] = statistics.DeadLetterCount;
            return HealthCheckResult.Healthy("The work queue is reachable.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Only the exception type goes out: /readyz is unauthenticated and messages can name hosts or accounts.
            HealthLog.CheckFailed(logger, ex, "queue");
            return HealthCheckResult.Unhealthy($"The work queue is unreachable ({ex.GetType().Name}).", data: data);
        }
    }
}
