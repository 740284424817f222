using Microsoft.Extensions.Options;

namespace MedTechTracker.Ingress;

/// <summary>Says loudly at start-up when anyone on the network can inject webhooks.</summary>
internal sealed partial class UnsignedWebhookWarning(IOptions<WebhookOptions> options, ILogger<UnsignedWebhookWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AllowUnsigned)
        {
            LogUnsignedAllowed(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Webhook:AllowUnsigned is true: webhooks without a valid X-Hub-Signature are accepted. Anyone who can reach this endpoint can make the bot create sub-tasks. Use this only for local experiments.")]
    private static partial void LogUnsignedAllowed(ILogger logger);
}
