using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace MedTechTracker.Queue.Amqp;

/// <summary>
/// The work queue over a generic AMQP 1.0 broker (RabbitMQ's amqp1_0 plugin in the tests): peek-lock receive with
/// prefetch, explicit settlement, reconnect with back-off. Such brokers neither count deliveries nor schedule nor
/// dead-letter, so abandon re-sends the message with its attempt count and accepts the original, and dead-letter moves
/// it to "&lt;queue&gt;.deadletter". A delivery left unsettled when a connection dies goes back to the queue;
/// redelivery is safe because the worker re-reads the issue's sub-tasks before creating any.
/// </summary>
internal sealed partial class AmqpWorkQueue : IWorkQueue, IAsyncDisposable
{
    private readonly AmqpConnectionManager _connections;
    private readonly AmqpQueueSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, AmqpLease> _leases = new();

    // One message per issue key in flight in this process.
    private readonly ConcurrentDictionary<string, byte> _keysInFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private long _leaseCounter;
    private int _disposeCalls;

    public AmqpWorkQueue(AmqpConnectionManager connections, TimeProvider time, ILogger<AmqpWorkQueue> logger)
    {
        _connections = connections;
        _settings = connections.Settings;
        _time = time;
        _logger = logger;
    }

    internal AmqpConnectionManager Connections => _connections;

    public async Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        await SendAsync(g => g.Sender, () => AmqpMessageCodec.Encode(message), cancellationToken).ConfigureAwait(false);

        // Service Bus drops a repeated message id inside its duplicate-detection window without telling the sender,
        // and generic brokers keep both copies: either way the message is durable and the worker's sub-task check holds.
        return EnqueueOutcome.Enqueued;
    }

    public async Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + maxWait;
        return await ReceiveFromQueueAsync(deadline, cancellationToken).ConfigureAwait(false);
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        try
        {
            Settle(message, "complete", (link, m) => link.Accept(m));
            return Task.CompletedTask;
        }
        catch (MessageLockLostException ex)
        {
            return Task.FromException(ex);
        }
    }

    public Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, "abandon");
            return Task.CompletedTask;
        }

        if (lease.Attempts >= _settings.MaxDeliveryCount)
        {
            return DeadLetterAsync(message, $"{reason} (gave up after {lease.Attempts} deliveries)", cancellationToken);
        }

        // Back-off: keep the message locked for a while before giving it back, so the retry does not come at once.
        var backoff = _settings.BackoffBase * Math.Pow(2, Math.Min(lease.Attempts - 1, 20)) * (0.8 + Random.Shared.NextDouble() * 0.4);
        if (backoff > _settings.BackoffCap)
        {
            backoff = _settings.BackoffCap;
        }

        LogAbandoned(_logger, message.Message.IssueKey, lease.Attempts, backoff.TotalMilliseconds, reason);
        _ = GiveBackAfterAsync(message, lease, backoff);
        return Task.CompletedTask;
    }

    public Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, "defer");
            return Task.CompletedTask;
        }

        // These brokers schedule nothing: the message stays locked here until visibleAt, then goes back with one
        // delivery fewer (it is not the message's fault), like an abandon that does not count.
        var wait = visibleAt - _time.GetUtcNow();
        LogAbandoned(_logger, message.Message.IssueKey, lease.Attempts, Math.Max(0, wait.TotalMilliseconds), reason);
        _ = GiveBackAfterAsync(message, lease with { Attempts = lease.Attempts - 1 }, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        return Task.CompletedTask;
    }

    public async Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, "dead-letter");
            return;
        }

        // Durable copy on <queue>.deadletter first, then accept the original.
        var description = $"Dead-lettered by medtech-tracker on delivery {lease.Attempts} of {_settings.MaxDeliveryCount}.";
        if (lease.Generation.IsUsable)
        {
            await SendAsync(g => g.DeadLetterSender, () => DeadLetterCopy(lease, reason, description), cancellationToken).ConfigureAwait(false);
        }

        Settle(message, "dead-letter", (link, m) => link.Accept(m));

        LogDeadLettered(_logger, message.Message.IssueKey, lease.Attempts, reason);
    }

    public Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            return Task.FromException<DateTimeOffset>(new MessageLockLostException($"The lock on the message for {message.Message.IssueKey} is not held by this process any more."));
        }

        // The broker holds an unsettled delivery for as long as the link lives: nothing to renew.
        return lease.Generation.IsUsable
            ? Task.FromResult(_time.GetUtcNow() + _settings.GenericLockDuration)
            : Task.FromException<DateTimeOffset>(new MessageLockLostException($"The connection that held the message for {message.Message.IssueKey} was lost; the broker redelivers it."));
    }

    public async Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        // AMQP has no message count: reaching the broker is what is checked here; depth comes from the broker's
        // own metrics (rabbitmqctl list_queues, the management plugin).
        await _connections.GetAsync(cancellationToken).ConfigureAwait(false);
        return new QueueStatistics(-1, -1, null);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as IWorkQueue: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposeCalls, 1) == 0)
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends a message, reconnecting (with back-off) when the connection or link was lost, within the operation timeout.</summary>
    internal async Task SendAsync(Func<AmqpGeneration, SenderLink> pick, Func<Message> create, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _settings.SendTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.SendTimeout);
        Exception? last = null;
        for (var attempt = 1; ; attempt++)
        {
            AmqpGeneration? generation = null;
            try
            {
                generation = await _connections.GetAsync(timeout.Token).ConfigureAwait(false);
                var link = pick(generation);
                var remaining = deadline - _time.GetUtcNow();
                await link.SendAsync(create(), remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1))
                    .WaitAsync(timeout.Token).ConfigureAwait(false);
                return;
            }
            catch (AmqpException ex) when (generation is not null && generation.IsUsable && !ex.Error.Condition.ToString().StartsWith("amqp:link:", StringComparison.Ordinal) && ex.Error.Condition != (Symbol)ErrorCode.DetachForced)
            {
                // The broker refused the message itself (Rejected outcome): retrying would not help.
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new AmqpQueueUnavailableException(
                    $"The message could not be sent to {_settings.QueueName} within {_settings.SendTimeout.TotalSeconds:0} s: {last?.Message ?? "timed out"}", last ?? new TimeoutException());
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or TimeoutException or AmqpQueueUnavailableException or InvalidOperationException or IOException)
            {
                last = ex;
                generation?.MarkBroken();
                if (_time.GetUtcNow() + TimeSpan.FromMilliseconds(50) >= deadline)
                {
                    throw new AmqpQueueUnavailableException($"The message could not be sent to {_settings.QueueName} within {_settings.SendTimeout.TotalSeconds:0} s: {ex.Message}", ex);
                }

                LogSendRetry(_logger, attempt, ex.GetType().Name, ex.Message);
                try
                {
                    await Task.Delay(AmqpConnectionManager.Backoff(attempt, TimeSpan.FromSeconds(2)), _time, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new AmqpQueueUnavailableException($"The message could not be sent to {_settings.QueueName} within {_settings.SendTimeout.TotalSeconds:0} s: {ex.Message}", ex);
                }
            }
        }
    }

    private async Task<LeasedMessage?> ReceiveFromQueueAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - _time.GetUtcNow();
            AmqpGeneration generation;
            try
            {
                generation = await _connections.GetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AmqpQueueUnavailableException)
            {
                if (remaining <= TimeSpan.Zero)
                {
                    return null;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, remaining.TotalMilliseconds)), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ReceiverLink receiver;
            try
            {
                receiver = generation.Receiver;
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection went between the check and the attach ("shutdown"): take the next generation.
                generation.MarkBroken();
                continue;
            }

            var held = generation.TakeHeldBack(m => AmqpMessageCodec.TryDecode(m, out var r) && !_keysInFlight.ContainsKey(r.IssueKey));
            if (held is not null)
            {
                var leased = TryLease(generation, receiver, held);
                if (leased is not null)
                {
                    return leased;
                }

                continue;
            }

            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            // Short slices keep cancellation and held-back messages responsive; a message still arrives at once.
            // At least 1 ms: AMQPNetLite turns a shorter timeout into 0, which returns at once without ever completing the task.
            var slice = generation.HasHeldBack ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(Math.Clamp(remaining.TotalMilliseconds, 10, 1000));
            Message? message;
            try
            {
                // Bounded here as well: a receive pending on a link whose connection died is not always woken up.
                message = await receiver.ReceiveAsync(slice).WaitAsync(slice + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException or TimeoutException)
            {
                // Dropping the generation closes its connection, which returns whatever that receive may still get.
                generation.MarkBroken();
                continue;
            }

            if (message is null)
            {
                if (receiver.IsClosed)
                {
                    generation.MarkBroken();
                }

                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                receiver.Release(message);
                cancellationToken.ThrowIfCancellationRequested();
            }

            var lease = TryLease(generation, receiver, message);
            if (lease is not null)
            {
                return lease;
            }
        }
    }

    /// <summary>Turns a delivery into a lease, or settles it on the spot (undecodable) or holds it back (its issue is in flight here).</summary>
    private LeasedMessage? TryLease(AmqpGeneration generation, ReceiverLink link, Message message)
    {
        if (!AmqpMessageCodec.TryDecode(message, out var reference))
        {
            DeadLetterUndecodable(generation, link, message);
            return null;
        }

        if (!_keysInFlight.TryAdd(reference.IssueKey, 0))
        {
            generation.HoldBack(message);
            return null;
        }

        var attempts = AmqpMessageCodec.GetInt(message, AmqpMessageCodec.Attempts) + 1;
        var lockedUntil = _time.GetUtcNow() + _settings.GenericLockDuration;
        var lockToken = $"{generation.Id}:{Interlocked.Increment(ref _leaseCounter)}";
        _leases[lockToken] = new AmqpLease(generation, link, message, reference, attempts);
        return new LeasedMessage(reference, lockToken, attempts, lockedUntil);
    }

    private void DeadLetterUndecodable(AmqpGeneration generation, ReceiverLink link, Message message)
    {
        const string reason = "The message body is not an issue reference.";
        LogUndecodable(_logger, message.Properties?.MessageId ?? "(none)");

        // Nothing of it can be trusted or shown: keep only the id and the reason on the dead-letter queue.
        _ = Task.Run(async () =>
        {
            try
            {
                await SendAsync(
                    g => g.DeadLetterSender,
                    () =>
                    {
                        var copy = new Message
                        {
                            Header = new Header { Durable = true },
                            Properties = new Properties { MessageId = message.Properties?.MessageId ?? Guid.NewGuid().ToString() },
                            ApplicationProperties = new ApplicationProperties(),
                            BodySection = new Data { Binary = [] },
                        };
                        copy.ApplicationProperties[AmqpMessageCodec.DeadLetterReason] = reason;
                        copy.ApplicationProperties[AmqpMessageCodec.DeadLetteredAt] = _time.GetUtcNow().UtcDateTime;
                        return copy;
                    },
                    _disposed.Token).ConfigureAwait(false);
                if (generation.IsUsable)
                {
                    link.Accept(message);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSettleFailed(_logger, "(undecodable)", "dead-letter", ex.GetType().Name, ex.Message);
            }
        });
    }

    private Message DeadLetterCopy(AmqpLease lease, string reason, string description)
    {
        var copy = AmqpMessageCodec.Copy(lease.Message, lease.Reference, lease.Message.Properties?.MessageId ?? lease.Reference.MessageId);
        copy.ApplicationProperties[AmqpMessageCodec.DeadLetterReason] = reason.Length > 4096 ? reason[..4096] : reason;
        copy.ApplicationProperties[AmqpMessageCodec.DeadLetterErrorDescription] = description;
        copy.ApplicationProperties[AmqpMessageCodec.DeadLetteredAt] = _time.GetUtcNow().UtcDateTime;
        copy.ApplicationProperties[AmqpMessageCodec.DeliveryCountAtDeadLetter] = lease.Attempts;
        return copy;
    }

    private async Task GiveBackAfterAsync(LeasedMessage message, AmqpLease lease, TimeSpan backoff)
    {
        try
        {
            if (backoff > TimeSpan.Zero)
            {
                await Task.Delay(backoff, _time, _disposed.Token).ConfigureAwait(false);
            }

            // The broker does not count deliveries: send a copy carrying the count, then accept the original.
            if (lease.Generation.IsUsable)
            {
                await SendAsync(
                    g => g.Sender,
                    () =>
                    {
                        var copy = AmqpMessageCodec.Copy(lease.Message, lease.Reference, lease.Message.Properties?.MessageId ?? lease.Reference.MessageId);
                        copy.ApplicationProperties[AmqpMessageCodec.Attempts] = lease.Attempts;
                        return copy;
                    },
                    _disposed.Token).ConfigureAwait(false);
            }

            Settle(message, "abandon", (link, m) => link.Accept(m));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever happened, the original is still unsettled or already redelivered: release what we hold.
            LogSettleFailed(_logger, message.Message.IssueKey, "abandon", ex.GetType().Name, ex.Message);
            if (_leases.ContainsKey(message.LockToken))
            {
                try
                {
                    Settle(message, "abandon", (link, m) => link.Release(m));
                }
                catch (MessageLockLostException)
                {
                    // Already on its way back to the queue.
                }
            }
        }
    }

    private void Settle(LeasedMessage message, string operation, Action<ReceiverLink, Message> settle)
    {
        if (!_leases.TryRemove(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, operation);
            return;
        }

        var lost = false;
        try
        {
            if (lease.Generation.IsUsable && !lease.Link.IsClosed)
            {
                settle(lease.Link, lease.Message);
            }
            else
            {
                LogLockLost(_logger, message.Message.IssueKey, operation);
                lost = true;
            }
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
            lease.Generation.MarkBroken();
            LogSettleFailed(_logger, message.Message.IssueKey, operation, ex.GetType().Name, ex.Message);
        }
        finally
        {
            _keysInFlight.TryRemove(lease.Reference.IssueKey, out _);
        }

        if (lost)
        {
            throw new MessageLockLostException($"The connection that held the message for {message.Message.IssueKey} was lost before {operation}; the broker redelivers it.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Abandoned the message for {IssueKey} on delivery {Attempts}; back to the queue in {BackoffMs} ms: {Reason}")]
    private static partial void LogAbandoned(ILogger logger, string issueKey, int attempts, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered the message for {IssueKey} on delivery {Attempts}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string issueKey, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lock on the message for {IssueKey} was lost with its connection before {Operation}; the broker redelivers it")]
    private static partial void LogLockLost(ILogger logger, string issueKey, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No lease for the message for {IssueKey} ({Operation}): already settled?")]
    private static partial void LogUnknownLease(ILogger logger, string issueKey, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settling ({Operation}) the message for {IssueKey} failed: {ErrorType}: {Error}")]
    private static partial void LogSettleFailed(ILogger logger, string issueKey, string operation, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Send attempt {Attempt} failed, retrying: {ErrorType}: {Error}")]
    private static partial void LogSendRetry(ILogger logger, int attempt, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} has a body that is not an issue reference; dead-lettering it")]
    private static partial void LogUndecodable(ILogger logger, string messageId);
}
