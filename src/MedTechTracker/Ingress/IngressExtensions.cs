using MedTechTracker.Jira;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Ingress;

public static class IngressExtensions
{
    /// <summary>Webhook options (section "Webhook", validated at start-up) and the signature verifier.</summary>
    public static IHostApplicationBuilder AddIngress(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            return new WebhookSignature(options.Secret, options.SecondarySecret);
        });
        builder.Services.TryAddSingleton<BotIdentity>();
        builder.Services.AddSingleton<WebhookReplayGuard>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<UnsignedWebhookWarning>();
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>POST /webhooks/jira (and POST /benchmark/noop when Benchmark:NoOpEndpoint=true).</summary>
    public static WebApplication MapIngress(this WebApplication app)
    {
        var webhooks = app.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks.MapPost("/jira", JiraWebhookHandler.HandleAsync).WithName("JiraWebhook");

        if (app.Configuration.GetValue<bool>(BenchmarkEndpoints.FlagKey))
        {
            app.MapGroup("/benchmark").MapPost("/noop", (Delegate)BenchmarkEndpoints.NoOpAsync).WithName("BenchmarkNoOp");
        }

        return app;
    }
}
