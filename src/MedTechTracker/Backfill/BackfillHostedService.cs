using System.Collections.Concurrent;
using MedTechTracker.Storage;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Backfill;

/// <summary>
/// Runs backfill jobs inside <c>serve</c>/<c>worker</c>: picks up queued jobs, and running jobs whose process
/// died (their lease ran out), so a restart continues them from their checkpoint.
/// </summary>
public sealed partial class BackfillHostedService(
    IBackfillStore store,
    BackfillRunner runner,
    IOptions<BackfillOptions> options,
    TimeProvider time,
    ILogger<BackfillHostedService> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        try
        {
            do
            {
                try
                {
                    await PickUpAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPollFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Running jobs see the stopping token, checkpoint what they finished and go back to Queued.
            await Task.WhenAll(_running.Values).ConfigureAwait(false);
        }
    }

    private async Task PickUpAsync(CancellationToken stoppingToken)
    {
        var jobs = await store.ListAsync(stoppingToken).ConfigureAwait(false);
        foreach (var job in jobs.Where(j => j.IsActive && !_running.ContainsKey(j.Id)).OrderBy(j => j.CreatedAt))
        {
            var claimed = await runner.TryClaimAsync(job.Id, stoppingToken).ConfigureAwait(false);
            if (claimed is null)
            {
                continue;
            }

            _running[claimed.Id] = Task.Run(
                async () =>
                {
                    try
                    {
                        await runner.RunAsync(claimed, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                    }
                    catch (Exception ex)
                    {
                        LogJobCrashed(ex, claimed.Id);
                    }
                    finally
                    {
                        _running.TryRemove(claimed.Id, out _);
                    }
                },
                CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for backfill jobs failed")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backfill {JobId} stopped unexpectedly; it stays active and is picked up again when its lease runs out")]
    private partial void LogJobCrashed(Exception exception, string jobId);
}
