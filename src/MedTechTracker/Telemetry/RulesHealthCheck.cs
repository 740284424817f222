using MedTechTracker.Rules;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MedTechTracker.Telemetry;

/// <summary>Ready when a valid rule set is loaded.</summary>
internal sealed class RulesHealthCheck(IServiceProvider services, ILogger<RulesHealthCheck> logger) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var rules = services.GetRequiredService<RulesProvider>();
            var data = new Dictionary<string, object>
            {
                ["rules"] = rules.Current.RuleSet.Rules.Count,
                ["loadedAt"] = rules.LoadedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
            return Task.FromResult(rules.Current.RuleSet.Rules.Count > 0
                ? HealthCheckResult.Healthy("Rules are loaded.", data)
                : HealthCheckResult.Unhealthy("The rule set is empty.", data: data));
        }
        catch (Exception ex)
        {
            HealthLog.CheckFailed(logger, ex, "rules");
            return Task.FromResult(HealthCheckResult.Unhealthy($"Rules are not loaded ({ex.GetType().Name})."));
        }
    }
}
