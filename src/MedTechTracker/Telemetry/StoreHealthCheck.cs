using MedTechTracker.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MedTechTracker.Telemetry;

/// <summary>Ready when the settings store answers a ping.</summary>
internal sealed class StoreHealthCheck(IServiceProvider services, ILogger<StoreHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ISettingsStore>() is not { } store)
        {
            return HealthCheckResult.Unhealthy("No settings store is configured.");
        }

        var data = new Dictionary<string, object> { ["implementation"] = store.GetType().Name };
        try
        {
            return await store.PingAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy("The settings store is reachable.", data)
                : HealthCheckResult.Unhealthy("The settings store did not answer.", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            HealthLog.CheckFailed(logger, ex, "store");
            return HealthCheckResult.Unhealthy($"The settings store is unreachable ({ex.GetType().Name}).", data: data);
        }
    }
}
