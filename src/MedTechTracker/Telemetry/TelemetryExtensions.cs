using MedTechTracker.Queue;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MedTechTracker.Telemetry;

public static class TelemetryExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string ReadyTag = "ready";

    /// <summary>OpenTelemetry (traces, metrics, logs; OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set), queue gauges, health checks.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        // Lowest-precedence defaults (any appsettings/env/command-line value wins): per-request framework
        // logs would cost more than the webhook handler itself under load.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: "medtech-tracker"))
            .WithTracing(tracing => tracing
                .AddSource(TrackerTelemetry.Name)
                .AddAspNetCoreInstrumentation(options =>
                {
                    options.Filter = context => !IsHealthPath(context.Request.Path);

                    // A webhook URL may carry operator-chosen query variables; the span needs none of them.
                    options.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null);
                })
                .AddHttpClientInstrumentation(options =>
                {
                    // Jira paths carry issue keys only; drop the query entirely (JQL would be text) rather than trust redaction.
                    options.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is { Query.Length: > 0 } uri)
                        {
                            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
                            activity.SetTag("url.query", null);
                        }
                    };
                }))
            .WithMetrics(metrics => metrics
                .AddMeter(TrackerTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter("System.Runtime"));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            openTelemetry.UseOtlpExporter();
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new QueueStatisticsCache(
            sp.GetRequiredService<IWorkQueue>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueueStatisticsCache>>()));
        builder.Services.AddHostedService<QueueMetrics>();

        builder.Services.AddHealthChecks()
            .AddCheck<QueueHealthCheck>("queue", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<RulesHealthCheck>("rules", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>GET /healthz (the process is alive) and GET /readyz (queue, store and rules; 503 when one fails).</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    private static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments(LivenessPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(ReadinessPath, StringComparison.OrdinalIgnoreCase);
}
