using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>
/// Learns the bot's accountId (GET /myself) at start-up. Start-up waits at most
/// <see cref="JiraOptions.StartupIdentityTimeout"/>; if Jira is unreachable the service starts anyway (sub-task events
/// are still ignored by issue type) and keeps trying in the background with capped back-off.
/// </summary>
public sealed partial class BotIdentityInitializer(
    IJiraClient jira,
    BotIdentity identity,
    IOptions<JiraOptions> options,
    TimeProvider timeProvider,
    ILogger<BotIdentityInitializer> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _background;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.BotAccountId is { Length: > 0 } configured)
        {
            // Configured by the operator: GET /myself (scope read:jira-user) is never needed.
            identity.Set(configured.Trim());
            LogKnown(logger, identity.AccountId!);
            return;
        }

        var first = TryOnceAsync(_stopping.Token);
        try
        {
            // Real time on purpose: this bounds how long start-up may wait, whatever clock the app runs on.
            if (await first.WaitAsync(options.Value.StartupIdentityTimeout, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (TimeoutException)
        {
        }

        LogContinuing(logger);
        _background = RetryAsync(first, _stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_background is { } background)
        {
            await Task.WhenAny(background, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RetryAsync(Task<bool> first, CancellationToken stopping)
    {
        try
        {
            if (await first.ConfigureAwait(false))
            {
                return;
            }

            await JiraResilience.UntilTrue(TimeSpan.FromSeconds(2), MaxBackoff, timeProvider)
                .ExecuteAsync(async ct => identity.IsKnown || await TryOnceAsync(ct).ConfigureAwait(false), stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var accountId = await jira.GetBotAccountIdAsync(cancellationToken).ConfigureAwait(false);
            identity.Set(accountId);
            LogKnown(logger, accountId);
            return true;
        }
        catch (JiraException ex)
        {
            LogFailed(logger, ex.StatusCode, ex.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(logger, null, ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jira bot account is {AccountId}")]
    private static partial void LogKnown(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot learn the Jira bot account (GET /myself, status {Status}): {Reason}")]
    private static partial void LogFailed(ILogger logger, int? status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting without the Jira bot account; retrying in the background. Events by the bot are recognised only by their sub-task issue type until then.")]
    private static partial void LogContinuing(ILogger logger);
}
