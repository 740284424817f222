namespace MedTechTracker.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>OpenTelemetry (traces, metrics, logs), health checks. TODO(pipeline): implement.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder) => builder;

    /// <summary>GET /healthz and /readyz. TODO(pipeline): implement.</summary>
    public static WebApplication MapHealth(this WebApplication app) => app;
}
