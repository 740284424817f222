using Amqp;

namespace MedTechTracker.Queue.Amqp;

/// <summary>Owns the current connection generation: connects on demand, reconnects with back-off.</summary>
internal sealed partial class AmqpConnectionManager : IAsyncDisposable
{
    private readonly AmqpQueueSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private AmqpGeneration? _current;
    private int _generations;
    private int _consecutiveFailures;
    private int _disposeCalls;
    private DateTimeOffset _nextAttemptAt = DateTimeOffset.MinValue;

    public AmqpConnectionManager(AmqpQueueSettings settings, TimeProvider time, ILogger<AmqpConnectionManager> logger)
    {
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    public AmqpQueueSettings Settings => _settings;

    /// <summary>The live generation, connecting (after the back-off of earlier failures) when there is none.</summary>
    public async Task<AmqpGeneration> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is { IsUsable: true })
        {
            return current;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        await _connectLock.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            current = _current;
            if (current is { IsUsable: true })
            {
                return current;
            }

            if (current is not null)
            {
                _current = null;
                LogConnectionLost(_logger, current.Id, current.Connection.Error?.Condition.ToString() ?? "closed");
                _ = current.CloseAsync();
            }

            var wait = _nextAttemptAt - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, linked.Token).ConfigureAwait(false);
            }

            try
            {
                var generation = await ConnectAsync(linked.Token).ConfigureAwait(false);
                _consecutiveFailures = 0;
                _nextAttemptAt = DateTimeOffset.MinValue;
                _current = generation;
                return generation;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !linked.IsCancellationRequested)
            {
                _consecutiveFailures++;
                var backoff = Backoff(_consecutiveFailures, _settings.MaxReconnectDelay);
                _nextAttemptAt = _time.GetUtcNow() + backoff;
                LogConnectFailed(_logger, _settings.Address.Host, _settings.Address.Port, _consecutiveFailures, backoff.TotalMilliseconds, ex.GetType().Name, ex.Message);
                throw new AmqpQueueUnavailableException($"The AMQP broker {_settings.Address.Host}:{_settings.Address.Port} is not reachable: {ex.Message}", ex);
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Exponential back-off with jitter: 100 ms, 200 ms, … up to the cap.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan cap)
    {
        var exponential = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(failures - 1, 16)));
        var capped = exponential < cap ? exponential : cap;
        return TimeSpan.FromMilliseconds(capped.TotalMilliseconds * (0.75 + Random.Shared.NextDouble() * 0.5));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeCalls, 1) != 0)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        var current = _current;
        _current = null;
        if (current is not null)
        {
            await current.CloseAsync().ConfigureAwait(false);
        }

    }

    private async Task<AmqpGeneration> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory();
        factory.AMQP.ContainerId = $"medtech-tracker-{Environment.ProcessId}-{Guid.NewGuid():N}";
        factory.AMQP.IdleTimeout = 60_000;
        factory.AMQP.MaxSessionsPerConnection = 16;
        factory.AMQP.HostName = _settings.Address.Host;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.OperationTimeout);
        // The handshake itself is bounded too: a broker that accepts TCP but never answers must not hold the connect lock.
        var connecting = factory.CreateAsync(_settings.Address, timeout.Token);
        Connection connection;
        try
        {
            connection = await connecting.WaitAsync(_settings.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ = connecting.ContinueWith(t => t.Result.CloseAsync(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }

        var generation = new AmqpGeneration(Interlocked.Increment(ref _generations), _settings, connection, new Session(connection));
        LogConnected(_logger, _settings.Address.Host, _settings.Address.Port, generation.Id);
        return generation;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AMQP connected to {Host}:{Port} (generation {Generation})")]
    private static partial void LogConnected(ILogger logger, string host, int port, int generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP connection generation {Generation} lost ({Condition}); reconnecting, unsettled deliveries return to the queue")]
    private static partial void LogConnectionLost(ILogger logger, int generation, string condition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AMQP connect to {Host}:{Port} failed ({Failures} in a row); next attempt in {DelayMs} ms: {ErrorType}: {Error}")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, int failures, double delayMs, string errorType, string error);
}
