using System.Collections.Concurrent;
using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace MedTechTracker.Queue.Amqp;

/// <summary>
/// The work queue over AMQP 1.0 (Azure Service Bus, or a generic broker such as RabbitMQ): peek-lock receive with
/// prefetch, explicit settlement, reconnect with back-off. A delivery left unsettled when a connection dies goes back
/// to the queue; redelivery is safe because the worker re-reads the issue's sub-tasks before creating any.
/// </summary>
internal sealed partial class AmqpWorkQueue : IWorkQueue, IAsyncDisposable
{
    public static readonly Symbol DeadLetterCondition = new("com.microsoft:dead-letter");
    public static readonly Symbol SessionFilter = new("com.microsoft:session-filter");
    public static readonly Symbol LockedUntil = new("x-opt-locked-until");
    public static readonly Symbol EnqueuedTime = new("x-opt-enqueued-time");
    public static readonly Symbol LockTokenAnnotation = new("x-opt-lock-token");

    private readonly AmqpConnectionManager _connections;
    private readonly AmqpQueueSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, AmqpLease> _leases = new();

    // One message per issue key in flight in this process (across processes: Service Bus sessions).
    private readonly ConcurrentDictionary<string, byte> _keysInFlight = new(StringComparer.Ordinal);
    private readonly Channel<SessionSlot> _freeSessionSlots;
    private readonly CancellationTokenSource _disposed = new();
    private long _leaseCounter;
    private int _disposeCalls;

    public AmqpWorkQueue(AmqpConnectionManager connections, TimeProvider time, ILogger<AmqpWorkQueue> logger)
    {
        _connections = connections;
        _settings = connections.Settings;
        _time = time;
        _logger = logger;
        _freeSessionSlots = Channel.CreateUnbounded<SessionSlot>();
        if (_settings.SessionsEnabled)
        {
            for (var i = 0; i < _settings.Concurrency; i++)
            {
                _freeSessionSlots.Writer.TryWrite(new SessionSlot(i));
            }
        }
    }

    internal AmqpConnectionManager Connections => _connections;

    public async Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        await SendAsync(g => g.Sender, () => AmqpMessageCodec.Encode(message, _settings.SessionsEnabled), cancellationToken).ConfigureAwait(false);

        // Service Bus drops a repeated message id inside its duplicate-detection window without telling the sender,
        // and generic brokers keep both copies: either way the message is durable and the worker's sub-task check holds.
        return EnqueueOutcome.Enqueued;
    }

    public async Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + maxWait;
        return _settings.SessionsEnabled
            ? await ReceiveFromSessionAsync(deadline, cancellationToken).ConfigureAwait(false)
            : await ReceiveFromQueueAsync(deadline, cancellationToken).ConfigureAwait(false);
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

        var lockLeft = message.LockedUntil - _time.GetUtcNow() - TimeSpan.FromSeconds(5);
        if (backoff > lockLeft)
        {
            backoff = lockLeft > TimeSpan.Zero ? lockLeft : TimeSpan.Zero;
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

        var description = $"Dead-lettered by medtech-tracker on delivery {lease.Attempts} of {_settings.MaxDeliveryCount}.";
        if (_settings.Dialect == AmqpDialect.ServiceBus)
        {
            Settle(message, "dead-letter", (link, m) => link.Reject(m, DeadLetterError(reason, description)));
        }
        else
        {
            // Generic brokers drop a Rejected message unless an operator configured a dead-letter policy, so the
            // adapter moves it itself: durable copy on <queue>.deadletter first, then accept the original.
            if (lease.Generation.IsUsable)
            {
                await SendAsync(
                    g => g.DeadLetterSender,
                    () => DeadLetterCopy(lease, reason, description),
                    cancellationToken).ConfigureAwait(false);
            }

            Settle(message, "dead-letter", (link, m) => link.Accept(m));
        }

        LogDeadLettered(_logger, message.Message.IssueKey, lease.Attempts, reason);
    }

    public async Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            throw new MessageLockLostException($"The lock on the message for {message.Message.IssueKey} is not held by this process any more.");
        }

        if (_settings.Dialect == AmqpDialect.Generic)
        {
            // A generic broker holds an unsettled delivery for as long as the link lives: nothing to renew.
            return lease.Generation.IsUsable
                ? _time.GetUtcNow() + _settings.GenericLockDuration
                : throw new MessageLockLostException($"The connection that held the message for {message.Message.IssueKey} was lost; the broker redelivers it.");
        }

        var request = new Message { ApplicationProperties = new ApplicationProperties() };
        request.ApplicationProperties["com.microsoft:server-timeout"] = (uint)_settings.OperationTimeout.TotalMilliseconds;
        request.ApplicationProperties["associated-link-name"] = lease.Link.Name;
        var body = new Map();
        if (lease.Slot is not null)
        {
            request.ApplicationProperties["operation"] = "com.microsoft:renew-session-lock";
            body["session-id"] = lease.SessionId;
        }
        else
        {
            request.ApplicationProperties["operation"] = "com.microsoft:renew-lock";
            body["lock-tokens"] = new[] { ServiceBusLockToken(lease.Message) ?? throw new InvalidOperationException("The delivery carries no Service Bus lock token.") };
        }

        request.BodySection = new AmqpValue { Value = body };
        var response = await lease.Generation.Management.RequestAsync(request, _settings.OperationTimeout, cancellationToken).ConfigureAwait(false);
        var status = response.ApplicationProperties?["statusCode"] switch
        {
            int i => i,
            long l => (int)l,
            _ => 0,
        };
        if (status != 200)
        {
            throw new InvalidOperationException(
                $"Service Bus refused to renew the lock on the message for {message.Message.IssueKey}: {status} {response.ApplicationProperties?["errorCondition"]}");
        }

        var map = (response.Body as Map) ?? [];
        var expiry = lease.Slot is not null
            ? map["expiration"] as DateTime?
            : (map["expirations"] as Array)?.Cast<object>().OfType<DateTime>().FirstOrDefault();
        return expiry is { } value && value != default
            ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))
            : _time.GetUtcNow() + TimeSpan.FromSeconds(30);
    }

    public async Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        // AMQP has no message count: reaching the broker is what is checked here; depth comes from the broker's
        // own metrics (Azure Monitor ActiveMessageCount / DeadletteredMessageCount, rabbitmqctl list_queues).
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

    internal static Error DeadLetterError(string reason, string description)
    {
        var truncated = reason.Length > 4096 ? reason[..4096] : reason;
        return new Error(DeadLetterCondition)
        {
            Description = truncated,
            Info = new Fields
            {
                [new Symbol(AmqpMessageCodec.DeadLetterReason)] = truncated,
                [new Symbol(AmqpMessageCodec.DeadLetterErrorDescription)] = description,
            },
        };
    }

    /// <summary>Service Bus: the x-opt-lock-token annotation, else the delivery tag (a GUID); null on other brokers.</summary>
    internal Guid? ServiceBusLockToken(Message message)
    {
        if (_settings.Dialect != AmqpDialect.ServiceBus)
        {
            return null;
        }

        if (message.MessageAnnotations?[LockTokenAnnotation] is Guid annotated)
        {
            return annotated;
        }

        return message.DeliveryTag is { Length: 16 } tag ? new Guid(tag) : null;
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

            var receiver = generation.Receiver;
            var held = generation.TakeHeldBack(m => AmqpMessageCodec.TryDecode(m, out var r) && !_keysInFlight.ContainsKey(r.IssueKey));
            if (held is not null)
            {
                var leased = TryLease(generation, receiver, held, slot: null);
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
            var slice = generation.HasHeldBack ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(Math.Min(1000, remaining.TotalMilliseconds));
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

            var lease = TryLease(generation, receiver, message, slot: null);
            if (lease is not null)
            {
                return lease;
            }
        }
    }

    private async Task<LeasedMessage?> ReceiveFromSessionAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        SessionSlot slot;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var maxWait = deadline - _time.GetUtcNow();
            wait.CancelAfter(maxWait > TimeSpan.Zero ? maxWait : TimeSpan.Zero);
            try
            {
                slot = await _freeSessionSlots.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        var handedOut = false;
        try
        {
            while (true)
            {
                var remaining = deadline - _time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    return null;
                }

                AmqpGeneration generation;
                try
                {
                    generation = await _connections.GetAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (AmqpQueueUnavailableException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, remaining.TotalMilliseconds)), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!slot.IsAttached(generation))
                {
                    await slot.DetachAsync().ConfigureAwait(false);
                    var filter = new Map { [SessionFilter] = null };
                    var target = slot;
                    slot.Generation = generation;
                    slot.Link = generation.CreateReceiver($"session-{slot.Index}", _settings.WorkAddress, filter, (_, attach) =>
                    {
                        if (attach.Source is Source { FilterSet: { } set } && set.ContainsKey(SessionFilter))
                        {
                            target.SessionId = set[SessionFilter] as string;
                        }
                    });

                    // One message at a time per session: the next one of this issue waits until this one is settled.
                    slot.Link.SetCredit(1, CreditMode.Auto);
                }

                Message? message;
                try
                {
                    message = await slot.Link!.ReceiveAsync(remaining).WaitAsync(remaining + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException or TimeoutException)
                {
                    // No session available within the broker's timeout, or the link was lost.
                    await slot.DetachAsync().ConfigureAwait(false);
                    continue;
                }

                if (message is null)
                {
                    // The locked session has nothing more for now: give it up so another receiver can take it later.
                    await slot.DetachAsync().ConfigureAwait(false);
                    return null;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    slot.Link!.Release(message);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var lease = TryLease(generation, slot.Link!, message, slot);
                if (lease is not null)
                {
                    handedOut = true;
                    return lease;
                }
            }
        }
        finally
        {
            if (!handedOut)
            {
                _freeSessionSlots.Writer.TryWrite(slot);
            }
        }
    }

    /// <summary>Turns a delivery into a lease, or settles it on the spot (undecodable) or holds it back (its issue is in flight here).</summary>
    private LeasedMessage? TryLease(AmqpGeneration generation, ReceiverLink link, Message message, SessionSlot? slot)
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

        var attempts = _settings.Dialect == AmqpDialect.ServiceBus
            ? (int)(message.Header?.DeliveryCount ?? 0) + 1 // Service Bus sends the count minus one.
            : AmqpMessageCodec.GetInt(message, AmqpMessageCodec.Attempts) + 1;
        var lockedUntil = message.MessageAnnotations?[LockedUntil] is DateTime until
            ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc))
            : _time.GetUtcNow() + _settings.GenericLockDuration;
        var lockToken = ServiceBusLockToken(message)?.ToString() ?? $"{generation.Id}:{Interlocked.Increment(ref _leaseCounter)}";
        _leases[lockToken] = new AmqpLease(generation, link, message, reference, attempts, slot);
        return new LeasedMessage(reference, lockToken, attempts, lockedUntil);
    }

    private void DeadLetterUndecodable(AmqpGeneration generation, ReceiverLink link, Message message)
    {
        const string reason = "The message body is not an issue reference.";
        LogUndecodable(_logger, message.Properties?.MessageId ?? "(none)");
        if (_settings.Dialect == AmqpDialect.ServiceBus)
        {
            link.Reject(message, DeadLetterError(reason, "Dead-lettered by medtech-tracker: undecodable body."));
            return;
        }

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
        var copy = AmqpMessageCodec.Copy(lease.Message, lease.Reference, _settings.SessionsEnabled, lease.Message.Properties?.MessageId ?? lease.Reference.MessageId);
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

            if (_settings.Dialect == AmqpDialect.ServiceBus)
            {
                // Modified(delivery-failed) makes Service Bus count the delivery; Released would not.
                Settle(message, "abandon", (link, m) => link.Modify(m, deliveryFailed: true, undeliverableHere: false));
                return;
            }

            // Generic brokers do not count deliveries: send a copy carrying the count, then accept the original.
            if (lease.Generation.IsUsable)
            {
                await SendAsync(
                    g => g.Sender,
                    () =>
                    {
                        var copy = AmqpMessageCodec.Copy(lease.Message, lease.Reference, _settings.SessionsEnabled, lease.Message.Properties?.MessageId ?? lease.Reference.MessageId);
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
            if (lease.Slot is not null)
            {
                _freeSessionSlots.Writer.TryWrite(lease.Slot);
            }
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
