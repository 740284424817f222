using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Queue.ServiceBus;

/// <summary>
/// The work queue on Azure Service Bus through the official SDK. A <see cref="ServiceBusReceiver"/> in PeekLock rather
/// than a ServiceBusProcessor: the port is pull-based and the worker already owns concurrency, lock renewal and the
/// drain on shutdown, for every adapter alike. Abandon and defer send a scheduled copy that carries the delivery count
/// and complete the original: Service Bus has no abandon-with-delay, and its own "deferred" messages can only be
/// fetched again by sequence number. With sessions (Queue:ServiceBus:SessionsEnabled) each receive works in one
/// locked session (one issue key) at a time, through ServiceBusSessionReceivers kept between messages.
/// </summary>
internal sealed partial class ServiceBusWorkQueue : IWorkQueue, IAsyncDisposable
{
    private readonly ServiceBusClient _client;
    private readonly QueueOptions _queue;
    private readonly ServiceBusOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServiceBusSender _sender;
    private readonly ServiceBusReceiver _receiver;
    private readonly ConcurrentDictionary<string, ServiceBusLease> _leases = new(StringComparer.Ordinal);

    // Sessions locked by this process that have no message out: the next receive looks there first.
    private readonly ConcurrentQueue<ServiceBusSessionReceiver> _idleSessions = new();
    private int _disposeCalls;

    public ServiceBusWorkQueue(ServiceBusClient client, IOptions<QueueOptions> queue, IOptions<ServiceBusOptions> options, TimeProvider time, ILogger<ServiceBusWorkQueue> logger)
    {
        _client = client;
        _queue = queue.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
        QueueName = EntityPath(_options) ?? _queue.Name;
        _sender = client.CreateSender(QueueName);
        _receiver = client.CreateReceiver(QueueName, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock, PrefetchCount = _queue.Prefetch });
    }

    public string QueueName { get; }

    internal ServiceBusClient Client => _client;

    internal ServiceBusSender Sender => _sender;

    internal bool SessionsEnabled => _options.SessionsEnabled;

    public async Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Coalesce && _options.EditCoalescingWindow > TimeSpan.Zero)
        {
            // The broker cannot be asked whether a message of the issue is waiting, so a burst is folded by time instead:
            // one message id per issue and window, visible when the window closes, so it reads every edit of the window.
            var window = _options.EditCoalescingWindow.Ticks;
            var slot = _time.GetUtcNow().UtcTicks / window;
            var edit = ServiceBusMessageCodec.Encode(message, _options.SessionsEnabled, $"edit-{message.IssueId}-{slot}");
            edit.ScheduledEnqueueTime = new DateTimeOffset((slot + 1) * window, TimeSpan.Zero);
            await SendAsync(edit, cancellationToken).ConfigureAwait(false);
            return EnqueueOutcome.Enqueued;
        }

        await SendAsync(ServiceBusMessageCodec.Encode(message, _options.SessionsEnabled), cancellationToken).ConfigureAwait(false);

        // Service Bus drops a repeated message id inside its duplicate-detection window without telling the sender:
        // either way the message is durable, and the worker's sub-task check makes a second copy harmless.
        return EnqueueOutcome.Enqueued;
    }

    public async Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + maxWait;
        if (_options.SessionsEnabled)
        {
            return await ReceiveFromSessionAsync(deadline, cancellationToken).ConfigureAwait(false);
        }

        return await ReceiveFromQueueAsync(1, deadline, cancellationToken).ConfigureAwait(false) is [var first, ..] ? first : null;
    }

    /// <summary>
    /// Up to <paramref name="maxMessages"/> messages in one receive (one link credit grant and one round trip) without
    /// sessions. Service Bus does not keep one issue in one receiver without sessions, so two messages of an issue can be
    /// in one batch, as they can be in two receives; with sessions a receive works in one session, so one message.
    /// </summary>
    public async Task<IReadOnlyList<LeasedMessage>> ReceiveBatchAsync(int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        if (_options.SessionsEnabled)
        {
            return await ReceiveAsync(maxWait, cancellationToken).ConfigureAwait(false) is { } one ? [one] : [];
        }

        return await ReceiveFromQueueAsync(maxMessages, _time.GetUtcNow() + maxWait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <paramref name="maxMessages"/> leased messages of the queue (no sessions), waiting until <paramref name="deadline"/> for the first.</summary>
    private async Task<IReadOnlyList<LeasedMessage>> ReceiveFromQueueAsync(int maxMessages, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = deadline - _time.GetUtcNow();
            var messages = await _receiver.ReceiveMessagesAsync(maxMessages, remaining > TimeSpan.FromMilliseconds(1) ? remaining : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
            if (messages.Count == 0)
            {
                return [];
            }

            var leased = new List<LeasedMessage>(messages.Count);
            foreach (var message in messages)
            {
                if (Lease(message, _receiver) is { } lease)
                {
                    leased.Add(lease);
                }
            }

            if (leased.Count > 0)
            {
                return leased;
            }
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken) =>
        SettleAsync(message, "complete", lease => lease.Receiver.CompleteMessageAsync(lease.Message, cancellationToken));

    public async Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, "abandon");
            return;
        }

        if (lease.Attempts >= _queue.MaxDeliveryCount)
        {
            await DeadLetterAsync(message, $"{reason} (gave up after {lease.Attempts} deliveries)", cancellationToken).ConfigureAwait(false);
            return;
        }

        var backoff = Backoff(lease.Attempts);
        LogAbandoned(_logger, message.Message.IssueKey, lease.Attempts, backoff.TotalMilliseconds, reason);
        await SendCopyThenCompleteAsync(message, lease, $"{lease.Reference.MessageId}/retry-{lease.Attempts}", lease.Attempts, _time.GetUtcNow() + backoff, "abandon", cancellationToken).ConfigureAwait(false);
    }

    public async Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, "defer");
            return;
        }

        // Not the message's fault: the copy carries one delivery fewer, so this one does not count.
        LogDeferred(_logger, message.Message.IssueKey, visibleAt, reason);
        var id = $"{lease.Reference.MessageId}/deferred-{lease.Attempts}-{visibleAt.ToUnixTimeMilliseconds()}";
        await SendCopyThenCompleteAsync(message, lease, id, lease.Attempts - 1, visibleAt, "defer", cancellationToken).ConfigureAwait(false);
    }

    public async Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        var description = $"Dead-lettered by medtech-tracker on delivery {message.DeliveryCount} of {_queue.MaxDeliveryCount}.";
        var properties = new Dictionary<string, object>
        {
            [ServiceBusMessageCodec.DeadLetteredAt] = _time.GetUtcNow().UtcDateTime,
        };
        await SettleAsync(message, "dead-letter", lease => lease.Receiver.DeadLetterMessageAsync(
            lease.Message, properties, reason.Length > 4096 ? reason[..4096] : reason, description, cancellationToken)).ConfigureAwait(false);
        LogDeadLettered(_logger, message.Message.IssueKey, message.DeliveryCount, reason);
    }

    public async Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        if (!_leases.TryGetValue(message.LockToken, out var lease))
        {
            throw new MessageLockLostException($"The lock on the message for {message.Message.IssueKey} is not held by this process any more.");
        }

        try
        {
            // In a session the session's lock is what holds the message.
            if (lease.Receiver is ServiceBusSessionReceiver session)
            {
                await session.RenewSessionLockAsync(cancellationToken).ConfigureAwait(false);
                return session.SessionLockedUntil;
            }

            await lease.Receiver.RenewMessageLockAsync(lease.Message, cancellationToken).ConfigureAwait(false);
            return lease.Message.LockedUntil;
        }
        catch (ServiceBusException ex) when (ex.Reason is ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.SessionLockLost)
        {
            _leases.TryRemove(message.LockToken, out _);
            throw new MessageLockLostException($"The lock on the message for {message.Message.IssueKey} was lost; Service Bus delivers it again.", ex);
        }
    }

    public async Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        // Reaching the namespace and reading the queue is what is checked; counts need the HTTPS management API
        // (Azure Monitor's ActiveMessageCount / DeadletteredMessageCount), so they are reported as unknown.
        await _receiver.PeekMessageAsync(fromSequenceNumber: 0, cancellationToken).ConfigureAwait(false);
        return new QueueStatistics(-1, -1, null);
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as IWorkQueue: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposeCalls, 1) == 0)
        {
            while (_idleSessions.TryDequeue(out var session))
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            await _receiver.DisposeAsync().ConfigureAwait(false);
            await _sender.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static string? EntityPath(ServiceBusOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString) ? null : ServiceBusConnectionStringProperties.Parse(options.ConnectionString).EntityPath is { Length: > 0 } path ? path : null;

    /// <summary>Sends within <see cref="ServiceBusOptions.SendTimeout"/>, the SDK's retries included.</summary>
    internal async Task SendAsync(ServiceBusMessage message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SendTimeout);
        try
        {
            await _sender.SendMessageAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ServiceBusQueueUnavailableException($"The message could not be sent to {QueueName} within {_options.SendTimeout.TotalSeconds:0} s.", ex);
        }
        catch (ServiceBusException ex) when (ex.IsTransient || ex.Reason == ServiceBusFailureReason.ServiceTimeout)
        {
            throw new ServiceBusQueueUnavailableException($"The message could not be sent to {QueueName}: {ex.Reason}.", ex);
        }
    }

    /// <summary>A message from a session this process holds, else from the next free session; a drained session is let go.</summary>
    private async Task<LeasedMessage?> ReceiveFromSessionAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - _time.GetUtcNow();
            if (_idleSessions.TryDequeue(out var session))
            {
                ServiceBusReceivedMessage? message;
                try
                {
                    var wait = remaining < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : remaining > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : remaining;
                    message = await session.ReceiveMessageAsync(wait, cancellationToken).ConfigureAwait(false);
                }
                catch (ServiceBusException ex) when (ex.Reason is ServiceBusFailureReason.SessionLockLost or ServiceBusFailureReason.ServiceTimeout || ex.IsTransient)
                {
                    message = null;
                }

                if (message is null)
                {
                    // Nothing more in this issue's session for now: let another receiver (or process) take it later.
                    await session.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                if (Lease(message, session) is { } leased)
                {
                    return leased;
                }

                _idleSessions.Enqueue(session);
                continue;
            }

            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            using var wait2 = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait2.CancelAfter(remaining);
            try
            {
                _idleSessions.Enqueue(await _client.AcceptNextSessionAsync(QueueName, new ServiceBusSessionReceiverOptions { PrefetchCount = 0 }, wait2.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.ServiceTimeout)
            {
                // No free session with messages right now.
                var pause = deadline - _time.GetUtcNow();
                if (pause <= TimeSpan.Zero)
                {
                    return null;
                }

                await Task.Delay(pause < TimeSpan.FromMilliseconds(200) ? pause : TimeSpan.FromMilliseconds(200), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Turns a received message into a lease, or dead-letters it on the spot when it is not an issue reference.</summary>
    private LeasedMessage? Lease(ServiceBusReceivedMessage message, ServiceBusReceiver receiver)
    {
        if (!ServiceBusMessageCodec.TryDecode(message, out var reference))
        {
            LogUndecodable(_logger, message.MessageId ?? "(none)");
            _ = DeadLetterUndecodableAsync(message, receiver);
            return null;
        }

        var attempts = ServiceBusMessageCodec.Attempts(message);
        _leases[message.LockToken] = new ServiceBusLease(message, receiver, reference, attempts);
        return new LeasedMessage(reference, message.LockToken, attempts, message.LockedUntil);
    }

    private async Task DeadLetterUndecodableAsync(ServiceBusReceivedMessage message, ServiceBusReceiver receiver)
    {
        try
        {
            await receiver.DeadLetterMessageAsync(message, "The message body is not an issue reference.", "Dead-lettered by medtech-tracker: undecodable body.").ConfigureAwait(false);
        }
        catch (ServiceBusException ex)
        {
            LogSettleFailed(_logger, "(undecodable)", "dead-letter", ex.Reason.ToString(), ex.Message);
        }
    }

    private async Task SendCopyThenCompleteAsync(LeasedMessage message, ServiceBusLease lease, string messageId, int priorAttempts, DateTimeOffset visibleAt, string operation, CancellationToken cancellationToken)
    {
        // Copy first, then complete: a crash in between leaves two deliveries (harmless, the worker checks existing
        // sub-tasks), never none. Same-id copies of the same attempt collapse by duplicate detection.
        await SendAsync(ServiceBusMessageCodec.Copy(lease.Reference, _options.SessionsEnabled, messageId, priorAttempts, visibleAt), cancellationToken).ConfigureAwait(false);
        await SettleAsync(message, operation, l => l.Receiver.CompleteMessageAsync(l.Message, cancellationToken)).ConfigureAwait(false);
    }

    private TimeSpan Backoff(int attempts)
    {
        var backoff = _queue.BackoffBase * Math.Pow(2, Math.Min(attempts - 1, 20)) * (0.8 + Random.Shared.NextDouble() * 0.4);
        return backoff > _queue.BackoffCap ? _queue.BackoffCap : backoff;
    }

    private async Task SettleAsync(LeasedMessage message, string operation, Func<ServiceBusLease, Task> settle)
    {
        if (!_leases.TryRemove(message.LockToken, out var lease))
        {
            LogUnknownLease(_logger, message.Message.IssueKey, operation);
            return;
        }

        try
        {
            await settle(lease).ConfigureAwait(false);
        }
        catch (ServiceBusException ex) when (ex.Reason is ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.SessionLockLost)
        {
            LogLockLost(_logger, message.Message.IssueKey, operation);
            if (lease.Receiver is ServiceBusSessionReceiver lost)
            {
                await lost.DisposeAsync().ConfigureAwait(false);
            }

            throw new MessageLockLostException($"The lock on the message for {message.Message.IssueKey} was lost before {operation}; Service Bus delivers it again.", ex);
        }
        catch (Exception) when (lease.Receiver is ServiceBusSessionReceiver failed)
        {
            // Let the session go: its unsettled message comes back to whoever takes the session next.
            await failed.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // The issue's session is free for its next message (in this process, which still holds the session lock).
        if (lease.Receiver is ServiceBusSessionReceiver session)
        {
            _idleSessions.Enqueue(session);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Abandoned the message for {IssueKey} on delivery {Attempts}; back on the queue in {BackoffMs} ms: {Reason}")]
    private static partial void LogAbandoned(ILogger logger, string issueKey, int attempts, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred the message for {IssueKey} until {VisibleAt} without counting a delivery: {Reason}")]
    private static partial void LogDeferred(ILogger logger, string issueKey, DateTimeOffset visibleAt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered the message for {IssueKey} on delivery {Attempts}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string issueKey, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lock on the message for {IssueKey} was lost before {Operation}; Service Bus delivers it again")]
    private static partial void LogLockLost(ILogger logger, string issueKey, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No lease for the message for {IssueKey} ({Operation}): already settled?")]
    private static partial void LogUnknownLease(ILogger logger, string issueKey, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settling ({Operation}) the message for {IssueKey} failed: {Reason}: {Error}")]
    private static partial void LogSettleFailed(ILogger logger, string issueKey, string operation, string reason, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} has a body that is not an issue reference; dead-lettering it")]
    private static partial void LogUndecodable(ILogger logger, string messageId);
}
