using MedTechTracker.Queue;

namespace MedTechTracker.Telemetry;

/// <summary>
/// Queue statistics for the observable gauges and health: fetched at most every few seconds, because
/// a metrics collection must not turn into a query per instrument per scrape.
/// </summary>
public sealed partial class QueueStatisticsCache(IWorkQueue queue, TimeProvider timeProvider, ILogger<QueueStatisticsCache> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private (QueueStatistics Statistics, DateTimeOffset At)? _last;
    private Task? _refreshing;

    /// <summary>The latest statistics no older than <see cref="MaxAge"/> when the queue answers in time; else the last known, or null.</summary>
    public QueueStatistics? Get()
    {
        Task refresh;
        lock (_lock)
        {
            if (_last is { } last && timeProvider.GetUtcNow() - last.At < MaxAge)
            {
                return last.Statistics;
            }

            refresh = _refreshing ??= RefreshAsync();
        }

        // Observable-gauge callbacks are synchronous; a bounded wait keeps a slow queue from stalling the exporter.
        refresh.Wait(MaxWait);
        lock (_lock)
        {
            return _last?.Statistics;
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var statistics = await queue.GetStatisticsAsync(timeout.Token).ConfigureAwait(false);
            lock (_lock)
            {
                _last = (statistics, timeProvider.GetUtcNow());
            }
        }
        catch (Exception ex)
        {
            LogRefreshFailed(logger, ex.GetType().Name);
        }
        finally
        {
            lock (_lock)
            {
                _refreshing = null;
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not read queue statistics for metrics ({ExceptionType})")]
    private static partial void LogRefreshFailed(ILogger logger, string exceptionType);
}
