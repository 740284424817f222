using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;

namespace MedTechTracker.Jira;

public static class JiraExtensions
{
    /// <summary>Refit Jira client with auth, call metrics and one resilience pipeline; the bot identity at start-up.</summary>
    public static IHostApplicationBuilder AddJira(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<JiraOptions>().BindConfiguration(JiraOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JiraOptions>, JiraOptionsValidator>());

        services.AddTransient<JiraAuthHandler>();
        services.AddTransient<JiraCallMetricsHandler>();
        var http = services.AddRefitGeneratedClient<IJiraApi>(JiraJsonContext.Default)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<JiraOptions>>().Value;
                client.BaseAddress = new Uri(options.BaseUrl!.TrimEnd('/'));

                // The resilience pipeline owns every time-out.
                client.Timeout = Timeout.InfiniteTimeSpan;
            });
        http.AddResilienceHandler(JiraResilience.PipelineName, (pipeline, context) =>
            JiraResilience.Configure(
                pipeline,
                context.ServiceProvider.GetRequiredService<IOptions<JiraOptions>>().Value,
                context.ServiceProvider.GetRequiredService<TimeProvider>()));

        // Added after the resilience handler, so inside it: every attempt carries the credentials and is counted.
        http.AddHttpMessageHandler<JiraAuthHandler>()
            .AddHttpMessageHandler<JiraCallMetricsHandler>();

        services.TryAddSingleton<JiraClient>();
        services.TryAddSingleton<IJiraClient>(sp => sp.GetRequiredService<JiraClient>());
        services.TryAddSingleton<IJiraIssueProperties>(sp => sp.GetRequiredService<JiraClient>());
        services.TryAddSingleton<BotIdentity>();
        services.AddHostedService<BotIdentityInitializer>();
        return builder;
    }
}
