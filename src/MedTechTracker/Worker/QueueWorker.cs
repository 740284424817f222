using MedTechTracker.Queue;
using MedTechTracker.Telemetry;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Worker;

/// <summary>
/// Drains the work queue: <see cref="ReceiveLoops"/> receive loops share the room <see cref="WorkerConcurrency"/> leaves
/// (the embedded queue leases each loop's share in one transaction; an adapter that receives one at a time still has
/// several receives waiting at once) and each message is worked on concurrently. On shutdown it stops receiving, lets
/// in-flight messages finish within <see cref="WorkerOptions.ShutdownDrainTimeout"/>, and abandons what is still
/// unfinished so another worker (or the next start) gets it at once.
/// </summary>
public sealed partial class QueueWorker(
    IWorkQueue queue,
    IssueProcessor processor,
    WorkerConcurrency concurrency,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<QueueWorker> logger) : BackgroundService
{
    /// <summary>Receive calls that may wait at once; each asks for its share of the room.</summary>
    public const int ReceiveLoops = 4;

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    // With no room, the loop looks at the target again at least this often (Jira's governor may have raised it).
    private static readonly TimeSpan RoomRecheck = TimeSpan.FromMilliseconds(200);
    private const int MaxReasonLength = 1000;
    private readonly WorkerOptions _options = options.Value;

    // Cancelled only when the drain time-out expires: processing outlives the stopping token on purpose.
    private readonly CancellationTokenSource _processing = new(Timeout.InfiniteTimeSpan, time);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();
    private readonly Lock _room = new();
    private TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _reserved;

    /// <summary>Messages currently being worked on.</summary>
    public int InFlight
    {
        get
        {
            lock (_room)
            {
                return _inFlight;
            }
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(concurrency.Ceiling, concurrency.Target, _options.ShutdownDrainTimeout.TotalSeconds);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(InFlight);
        _processing.CancelAfter(_options.ShutdownDrainTimeout);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        LogStopped();
    }

    public override void Dispose()
    {
        _processing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, ReceiveLoops).Select(_ => Task.Run(() => ReceiveLoopAsync(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            // Stopped receiving: what is in flight finishes (or is abandoned at the drain time-out) and is settled.
            await Task.WhenAll(_running.Keys).ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = Volatile.Read(ref _finished).Task;
            var share = Reserve();
            if (share == 0)
            {
                try
                {
                    await changed.WaitAsync(RoomRecheck, time, stoppingToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            IReadOnlyList<LeasedMessage> leased = [];
            try
            {
                leased = await queue.ReceiveBatchAsync(share, _options.ReceiveWait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogReceiveFailed(ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(_options.ReceiveErrorDelay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                Release(share, leased.Count);
            }

            foreach (var message in leased)
            {
                var work = Task.Run(() => HandleAsync(message), CancellationToken.None);
                _running.TryAdd(work, 0);
                _ = work.ContinueWith(
                    done =>
                    {
                        _running.TryRemove(done, out _);
                        lock (_room)
                        {
                            _inFlight--;
                        }

                        Changed();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>This loop's share of the room left under the target (0: none now).</summary>
    private int Reserve()
    {
        lock (_room)
        {
            var room = concurrency.Target - _inFlight - _reserved;
            if (room <= 0)
            {
                return 0;
            }

            var share = Math.Max(1, room / ReceiveLoops);
            _reserved += share;
            return share;
        }
    }

    /// <summary>The loop's reservation ends: what it leased is now in flight, the rest is room again.</summary>
    private void Release(int share, int leased)
    {
        lock (_room)
        {
            _reserved -= share;
            _inFlight += leased;
        }

        if (leased < share)
        {
            Changed();
        }
    }

    private void Changed() =>
        Interlocked.Exchange(ref _finished, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task HandleAsync(LeasedMessage leased)
    {
        var key = leased.Message.IssueKey;
        using var messageCts = CancellationTokenSource.CreateLinkedTokenSource(_processing.Token);
        using var stopRenewal = new CancellationTokenSource();
        var renewal = RenewWhileWorkingAsync(leased, messageCts, stopRenewal.Token);

        ProcessingOutcome outcome;
        try
        {
            outcome = await processor.ProcessAsync(leased.Message, leased.DeliveryCount, messageCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (messageCts.IsCancellationRequested)
        {
            outcome = _processing.IsCancellationRequested
                ? ProcessingOutcome.Abandoned($"{key}: unfinished at shutdown")
                : ProcessingOutcome.Abandoned($"{key}: the lease was lost");
        }
        catch (Exception ex)
        {
            // IssueProcessor turns every failure into an outcome; reaching this is a bug, and the message must still be released.
            LogUnexpected(key, ex.GetType().Name);
            outcome = ProcessingOutcome.Abandoned($"{key}: {ex.GetType().Name} in the worker");
        }
        finally
        {
            await stopRenewal.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
        }

        await SettleAsync(leased, outcome).ConfigureAwait(false);
    }

    private async Task SettleAsync(LeasedMessage leased, ProcessingOutcome outcome)
    {
        var key = leased.Message.IssueKey;

        // The reason becomes a stored dead-letter reason and a log line: no control characters, bounded.
        var reason = Diagnostics.SafeText.Clean(outcome.Reason ?? outcome.Result, MaxReasonLength);

        // Settling must happen even while shutting down: a short budget of its own instead of the stopping token.
        using var settle = new CancellationTokenSource(SettleTimeout, time);
        try
        {
            switch (outcome.Disposition)
            {
                case MessageDisposition.Complete:
                    await queue.CompleteAsync(leased, settle.Token).ConfigureAwait(false);
                    LogCompleted(key, outcome.Result, leased.DeliveryCount);
                    break;
                case MessageDisposition.Abandon:
                    await queue.AbandonAsync(leased, reason, settle.Token).ConfigureAwait(false);
                    LogAbandoned(key, leased.DeliveryCount, reason);
                    break;
                case MessageDisposition.Defer:
                    await queue.DeferAsync(leased, outcome.VisibleAt ?? time.GetUtcNow(), reason, settle.Token).ConfigureAwait(false);
                    LogDeferred(key, outcome.VisibleAt ?? time.GetUtcNow(), reason);
                    break;
                case MessageDisposition.DeadLetter:
                    await queue.DeadLetterAsync(leased, reason, settle.Token).ConfigureAwait(false);

                    // The queue counts only what it dead-letters itself (maximum delivery count, source=queue).
                    TrackerTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>("source", "worker"));
                    LogDeadLettered(key, leased.DeliveryCount, reason);
                    break;
            }
        }
        catch (Exception ex)
        {
            // The lease runs out and the queue hands the message out again; the planner's duplicate check keeps that safe.
            LogSettleFailed(key, outcome.Disposition, ex.GetType().Name, ex.Message);
        }
    }

    private async Task RenewWhileWorkingAsync(LeasedMessage leased, CancellationTokenSource messageCts, CancellationToken stop)
    {
        var lockedUntil = leased.LockedUntil;
        while (!stop.IsCancellationRequested)
        {
            var remaining = lockedUntil - time.GetUtcNow();
            var wait = remaining / 2 < _options.LockRenewalInterval ? remaining / 2 : _options.LockRenewalInterval;
            if (wait < TimeSpan.FromMilliseconds(50))
            {
                wait = TimeSpan.FromMilliseconds(50);
            }

            try
            {
                await Task.Delay(wait, time, stop).ConfigureAwait(false);
                lockedUntil = await queue.RenewLockAsync(leased, stop).ConfigureAwait(false);
                LogRenewed(leased.Message.IssueKey, lockedUntil);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Without a lease another worker may take the issue: stop working on it rather than race.
                LogRenewFailed(leased.Message.IssueKey, ex.GetType().Name, ex.Message);
                await messageCts.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker starting: up to {Ceiling} messages at once ({Target} while Jira's governor allows its starting concurrency), drain time-out {DrainSeconds} s")]
    private partial void LogStarting(int ceiling, int target, double drainSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker stopping: no new messages; draining {InFlight} in flight")]
    private partial void LogStopping(int inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker stopped")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from the queue failed ({ExceptionType}: {Error}); retrying")]
    private partial void LogReceiveFailed(string exceptionType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{IssueKey}: unexpected {ExceptionType} in the worker; the message is abandoned")]
    private partial void LogUnexpected(string issueKey, string exceptionType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{IssueKey}: completed ({Result}) at delivery {DeliveryCount}")]
    private partial void LogCompleted(string issueKey, string result, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{IssueKey}: abandoned at delivery {DeliveryCount}, will be retried: {Reason}")]
    private partial void LogAbandoned(string issueKey, int deliveryCount, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{IssueKey}: deferred until {VisibleAt:O} (not counted as a delivery): {Reason}")]
    private partial void LogDeferred(string issueKey, DateTimeOffset visibleAt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{IssueKey}: dead-lettered at delivery {DeliveryCount}: {Reason}")]
    private partial void LogDeadLettered(string issueKey, int deliveryCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{IssueKey}: could not {Disposition} the message ({ExceptionType}: {Error}); its lease will expire and it is redelivered")]
    private partial void LogSettleFailed(string issueKey, MessageDisposition disposition, string exceptionType, string error);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{IssueKey}: lease renewed until {LockedUntil}")]
    private partial void LogRenewed(string issueKey, DateTimeOffset lockedUntil);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{IssueKey}: lease renewal failed ({ExceptionType}: {Error}); stopping work on it")]
    private partial void LogRenewFailed(string issueKey, string exceptionType, string error);
}
