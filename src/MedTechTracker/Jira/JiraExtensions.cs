using MedTechTracker.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace MedTechTracker.Jira;

public static class JiraExtensions
{
    /// <summary>
    /// The Jira client: endpoint (site or gateway) → one resilience pipeline → the process's rate governor → credentials
    /// (OAuth tokens renewed) → call metrics; the metadata caches and the bot identity at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddJira(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<JiraOptions>().BindConfiguration(JiraOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JiraOptions>, JiraOptionsValidator>());

        services.TryAddSingleton<JiraAccessTokens>();
        services.TryAddSingleton<JiraEndpoint>();
        services.TryAddSingleton(sp =>
        {
            var governor = ActivatorUtilities.CreateInstance<JiraRateGovernor>(sp);
            TrackerTelemetry.ObserveJiraRate(() => governor.State);
            return governor;
        });
        services.AddTransient<JiraEndpointHandler>();
        services.AddTransient<JiraRateGovernorHandler>();
        services.AddTransient<JiraAuthHandler>();
        services.AddTransient<JiraCallMetricsHandler>();

        services.AddHttpClient(JiraAccessTokens.HttpClientName)
            .AddResilienceHandler("jira-oauth", (pipeline, context) => pipeline
                .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 3, UseJitter = true, BackoffType = Polly.DelayBackoffType.Exponential })
                .AddTimeout(TimeSpan.FromSeconds(10)));
        services.AddHttpClient(JiraEndpoint.DiscoveryClientName)
            .AddResilienceHandler("jira-discovery", (pipeline, context) => pipeline
                .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 3, UseJitter = true, BackoffType = Polly.DelayBackoffType.Exponential })
                .AddTimeout(TimeSpan.FromSeconds(10)));

        var http = services.AddHttpClient(JiraApiFactory.HttpClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<JiraOptions>>().Value;
                client.BaseAddress = new Uri(options.BaseUrl!.TrimEnd('/'));

                // The resilience pipeline owns every time-out.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<JiraEndpointHandler>();
        http.AddResilienceHandler(JiraResilience.PipelineName, (pipeline, context) =>
            JiraResilience.Configure(
                pipeline,
                context.ServiceProvider.GetRequiredService<IOptions<JiraOptions>>().Value,
                context.ServiceProvider.GetRequiredService<TimeProvider>()));

        // Added after the resilience handler, so inside it: every attempt waits for the rate window, carries the
        // credentials and is counted.
        http.AddHttpMessageHandler<JiraRateGovernorHandler>()
            .AddHttpMessageHandler<JiraAuthHandler>()
            .AddHttpMessageHandler<JiraCallMetricsHandler>();

        services.TryAddSingleton<JiraApiFactory>();
        services.TryAddSingleton<JiraProjectChecks>();
        services.TryAddSingleton<ParentWriteLocks>();
        services.TryAddSingleton<JiraClient>();
        services.TryAddSingleton<IJiraClient>(sp => sp.GetRequiredService<JiraClient>());
        services.TryAddSingleton<IJiraIssueProperties>(sp => sp.GetRequiredService<JiraClient>());
        services.TryAddSingleton<BotIdentity>();
        services.AddHostedService<BotIdentityInitializer>();
        services.AddHealthChecks().AddCheck<JiraHealthCheck>("jira", tags: [TelemetryExtensions.ReadyTag]);
        return builder;
    }
}
