using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>At start-up, and whenever the admin keys change, ends the sessions of rotated and removed keys (see <see cref="AdminSessions.ReconcileAsync"/>).</summary>
public sealed partial class AdminSessionReconciler(AdminSessions sessions, IOptionsMonitor<AdminOptions> options, ILogger<AdminSessionReconciler> logger) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A store that is down at start-up must not keep the ingress from answering webhooks.
        await ReconcileQuietlyAsync().ConfigureAwait(false);
        _subscription = options.OnChange(changed => _ = ReconcileQuietlyAsync());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();

    private async Task ReconcileQuietlyAsync()
    {
        try
        {
            await sessions.ReconcileAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Sessions are checked against the configuration on every request anyway; the store catches up next time.
            LogFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update admin session epochs after a configuration change ({ExceptionType})")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
