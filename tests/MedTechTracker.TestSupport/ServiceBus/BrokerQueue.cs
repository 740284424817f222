using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>
/// One entity (a queue or its dead-letter sub-queue): available messages in order, locks with expiry and delivery
/// counts, scheduled messages, duplicate detection by message id. All state under one lock; AMQP calls happen outside it.
/// </summary>
internal sealed class BrokerQueue
{
    private readonly object _gate = new();
    private readonly LinkedList<BrokerEntry> _available = new();
    private readonly List<BrokerEntry> _scheduled = [];
    private readonly Dictionary<Guid, BrokerLock> _locks = [];
    private readonly Dictionary<string, DateTime> _seenIds = new(StringComparer.Ordinal);
    private readonly List<ReceiverEndpoint> _receivers = [];
    private readonly Dictionary<string, ReceiverEndpoint> _sessions = new(StringComparer.Ordinal);
    private readonly Func<DateTime> _now;
    private long _sequence;
    private int _nextReceiver;

    public BrokerQueue(string name, BrokerQueueOptions options, BrokerQueue? deadLetters, Func<DateTime> now)
    {
        Name = name;
        Options = options;
        DeadLetters = deadLetters;
        _now = now;
    }

    public string Name { get; }

    public BrokerQueueOptions Options { get; }

    /// <summary>Null for the dead-letter sub-queue itself.</summary>
    public BrokerQueue? DeadLetters { get; }

    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _available.Count + _scheduled.Count + _locks.Count;
            }
        }
    }

    public int DuplicatesDropped { get; private set; }

    /// <summary>Stores a message sent to the entity; false when its id was seen inside the duplicate-detection window.</summary>
    public bool Enqueue(Message message)
    {
        var now = _now();
        var visibleAt = message.MessageAnnotations?[ServiceBusTestBroker.ScheduledEnqueueTimeAnnotation] is DateTime at ? at.ToUniversalTime() : now;
        lock (_gate)
        {
            if (Options.DuplicateDetectionWindow > TimeSpan.Zero && message.Properties?.MessageId is { } id)
            {
                if (_seenIds.TryGetValue(id, out var seen) && now - seen < Options.DuplicateDetectionWindow)
                {
                    DuplicatesDropped++;
                    return false;
                }

                _seenIds[id] = now;
            }

            var entry = new BrokerEntry(Copy(message), ++_sequence, now, visibleAt, message.Properties?.GroupId);
            if (visibleAt > now)
            {
                _scheduled.Add(entry);
            }
            else
            {
                _available.AddLast(entry);
            }
        }

        Pump();
        return true;
    }

    public void AddReceiver(ReceiverEndpoint receiver)
    {
        lock (_gate)
        {
            _receivers.Add(receiver);
        }
    }

    public void RemoveReceiver(ReceiverEndpoint receiver)
    {
        lock (_gate)
        {
            _receivers.Remove(receiver);
            if (receiver.SessionId is { } session && _sessions.GetValueOrDefault(session) == receiver)
            {
                // The session is free again; what its receiver held goes back, counted.
                _sessions.Remove(session);
                foreach (var (token, held) in _locks.Where(l => l.Value.Entry.SessionId == session).ToList())
                {
                    _locks.Remove(token);
                    Return(held.Entry, countDelivery: true);
                }
            }
        }

        Pump();
    }

    /// <summary>Locks the requested session (null: the next one with available messages) for the receiver; null when none can be had.</summary>
    public string? LockSession(string? requested, ReceiverEndpoint receiver)
    {
        lock (_gate)
        {
            var session = requested ?? _available.Select(e => e.SessionId).FirstOrDefault(id => id is not null && !_sessions.ContainsKey(id));
            if (session is null || _sessions.ContainsKey(session))
            {
                return null;
            }

            _sessions[session] = receiver;
            receiver.SessionId = session;
            return session;
        }
    }

    /// <summary>Extends the session's lock, and the locks of the messages its receiver holds; null when the session is not locked.</summary>
    public DateTime? RenewSessionLock(string session)
    {
        lock (_gate)
        {
            if (!_sessions.ContainsKey(session))
            {
                return null;
            }

            var until = _now() + Options.LockDuration;
            foreach (var held in _locks.Values.Where(l => l.Entry.SessionId == session))
            {
                held.LockedUntil = until;
            }

            return until;
        }
    }

    /// <summary>Hands available messages to receivers with credit, round robin, and answers drains that nothing can fill.</summary>
    public void Pump()
    {
        var sends = new List<(ReceiverEndpoint Receiver, Message Message)>();
        var drained = new List<ReceiverEndpoint>();
        lock (_gate)
        {
            while (_available.Count > 0 && NextDelivery() is var (receiver, node) && receiver is not null)
            {
                _available.Remove(node!);
                receiver.TakeCredit();
                sends.Add((receiver, Deliver(node!.Value, receiver.SettlesOnSend)));
            }

            drained.AddRange(_receivers.Where(r => r.IsDraining && FirstFor(r) is null));
        }

        foreach (var (receiver, message) in sends)
        {
            receiver.Send(message);
        }

        foreach (var receiver in drained)
        {
            receiver.CompleteDrain();
        }
    }

    /// <summary>Expired locks go back (or to the dead letters), scheduled messages become visible.</summary>
    public void Tick()
    {
        var now = _now();
        lock (_gate)
        {
            foreach (var (token, held) in _locks.Where(l => l.Value.LockedUntil <= now).ToList())
            {
                _locks.Remove(token);
                Return(held.Entry, countDelivery: true);

                // In a session the message lock is the session's: it expired, so the session is free for another receiver.
                if (held.Entry.SessionId is { } session && _sessions.Remove(session, out var holder))
                {
                    holder.SessionId = null;
                    holder.SessionLost = true;
                }
            }

            for (var i = _scheduled.Count - 1; i >= 0; i--)
            {
                if (_scheduled[i].VisibleAt <= now)
                {
                    _available.AddLast(_scheduled[i]);
                    _scheduled.RemoveAt(i);
                }
            }
        }

        Pump();
    }

    /// <summary>Settles a delivery: the outcome to echo, or a rejection with message-lock-lost when the lock is gone.</summary>
    public DeliveryState Settle(Guid lockToken, DeliveryState? state)
    {
        lock (_gate)
        {
            if (!_locks.Remove(lockToken, out var held) || held.LockedUntil <= _now())
            {
                if (held is not null)
                {
                    Return(held.Entry, countDelivery: true);
                }

                return new Rejected { Error = new Error(ServiceBusTestBroker.LockLostCondition) { Description = "The lock supplied is invalid: it expired, or the message was already settled." } };
            }

            switch (state)
            {
                case Accepted:
                    return state;
                case Rejected rejected when ServiceBusTestBroker.DeadLetterCondition.Equals(rejected.Error?.Condition):
                    DeadLetter(held.Entry, rejected.Error!.Info);

                    // The SDK wants a bare outcome back, without the error it sent.
                    return new Rejected();
                case Released:
                    Return(held.Entry, countDelivery: false);
                    return state;
                default:
                    // Modified (abandon), a plain rejection: back to the queue, the delivery counted.
                    Return(held.Entry, countDelivery: true);
                    return state ?? new Modified();
            }
        }
    }

    /// <summary>The new expiry, or null when the lock is not held any more.</summary>
    public DateTime? RenewLock(Guid lockToken)
    {
        lock (_gate)
        {
            if (!_locks.TryGetValue(lockToken, out var held) || held.LockedUntil <= _now())
            {
                return null;
            }

            held.LockedUntil = _now() + Options.LockDuration;
            return held.LockedUntil;
        }
    }

    /// <summary>Encoded messages from a sequence number on, without locking them (what peek returns).</summary>
    public List<byte[]> Peek(long fromSequenceNumber, int count)
    {
        lock (_gate)
        {
            return _available.Concat(_scheduled).Concat(_locks.Values.Select(l => l.Entry))
                .Where(e => e.SequenceNumber >= fromSequenceNumber)
                .OrderBy(e => e.SequenceNumber)
                .Take(count)
                .Select(e => Annotate(Decode(e), e).Encode())
                .Select(b => b.Buffer.AsSpan(b.Offset, b.Length).ToArray())
                .ToList();
        }
    }

    /// <summary>The next receiver with credit (round robin) and the first message it may take. Caller holds the lock.</summary>
    private (ReceiverEndpoint? Receiver, LinkedListNode<BrokerEntry>? Node) NextDelivery()
    {
        for (var i = 0; i < _receivers.Count; i++)
        {
            var receiver = _receivers[(_nextReceiver + i) % _receivers.Count];
            if (receiver.Credit > 0 && FirstFor(receiver) is { } node)
            {
                _nextReceiver = (_nextReceiver + i + 1) % _receivers.Count;
                return (receiver, node);
            }
        }

        return (null, null);
    }

    /// <summary>A session receiver sees only its session's messages; without sessions, the head of the queue.</summary>
    private LinkedListNode<BrokerEntry>? FirstFor(ReceiverEndpoint receiver)
    {
        if (!Options.RequiresSession)
        {
            return _available.First;
        }

        for (var node = _available.First; node is not null && !receiver.SessionLost; node = node.Next)
        {
            if (node.Value.SessionId == receiver.SessionId)
            {
                return node;
            }
        }

        return null;
    }

    private Message Deliver(BrokerEntry entry, bool settlesOnSend)
    {
        var message = Annotate(Decode(entry), entry);
        entry.DeliveryCount++;
        if (!settlesOnSend)
        {
            var token = Guid.NewGuid();
            var until = _now() + Options.LockDuration;
            _locks[token] = new BrokerLock(entry, until);
            message.MessageAnnotations[ServiceBusTestBroker.LockTokenAnnotation] = token;
            message.MessageAnnotations[ServiceBusTestBroker.LockedUntilAnnotation] = until;
        }

        return message;
    }

    private static Message Annotate(Message message, BrokerEntry entry)
    {
        message.Header ??= new Header { Durable = true };
        message.Header.DeliveryCount = (uint)entry.DeliveryCount;
        message.MessageAnnotations ??= new MessageAnnotations();
        message.MessageAnnotations[ServiceBusTestBroker.SequenceNumberAnnotation] = entry.SequenceNumber;
        message.MessageAnnotations[ServiceBusTestBroker.EnqueuedTimeAnnotation] = entry.EnqueuedAt;
        return message;
    }

    /// <summary>Back to the front of the queue, or to the dead letters once it has had its deliveries. Caller holds the lock.</summary>
    private void Return(BrokerEntry entry, bool countDelivery)
    {
        if (!countDelivery)
        {
            entry.DeliveryCount--;
        }

        if (DeadLetters is not null && entry.DeliveryCount >= Options.MaxDeliveryCount)
        {
            DeadLetter(entry, "MaxDeliveryCountExceeded", $"Message could not be consumed after {Options.MaxDeliveryCount} delivery attempts.");
            return;
        }

        _available.AddFirst(entry);
    }

    /// <summary>The error's info becomes application properties: reason, description and the client's properties to modify.</summary>
    private void DeadLetter(BrokerEntry entry, Fields? info)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var key in info?.Keys ?? Enumerable.Empty<object>())
        {
            properties[key.ToString()!] = info![key];
        }

        DeadLetter(entry, properties.GetValueOrDefault(ServiceBusTestBroker.DeadLetterReasonProperty) as string, properties.GetValueOrDefault(ServiceBusTestBroker.DeadLetterDescriptionProperty) as string, properties);
    }

    private void DeadLetter(BrokerEntry entry, string? reason, string? description, Dictionary<string, object>? extra = null)
    {
        if (DeadLetters is null)
        {
            // Dead-lettering from the dead-letter sub-queue itself: Service Bus keeps the message where it is.
            _available.AddFirst(entry);
            return;
        }

        var message = Decode(entry);
        message.ApplicationProperties ??= new ApplicationProperties();
        foreach (var (key, value) in extra ?? [])
        {
            message.ApplicationProperties[key] = value;
        }

        message.ApplicationProperties[ServiceBusTestBroker.DeadLetterReasonProperty] = reason ?? "";
        message.ApplicationProperties[ServiceBusTestBroker.DeadLetterDescriptionProperty] = description ?? "";
        // Keeps the delivery count it had: that is what Service Bus shows on a dead letter.
        DeadLetters.EnqueueDeadLetter(Copy(message), entry.DeliveryCount);
    }

    private void EnqueueDeadLetter(byte[] encoded, int deliveryCount)
    {
        var now = _now();
        lock (_gate)
        {
            _available.AddLast(new BrokerEntry(encoded, ++_sequence, now, now) { DeliveryCount = deliveryCount });
        }

        ThreadPool.UnsafeQueueUserWorkItem(_ => Pump(), null);
    }

    private static Message Decode(BrokerEntry entry) => Message.Decode(new ByteBuffer(entry.Encoded, 0, entry.Encoded.Length, entry.Encoded.Length));

    /// <summary>Received sections point into pooled buffers freed with the delivery: keep a private copy.</summary>
    private static byte[] Copy(Message message)
    {
        var buffer = message.Encode();
        return buffer.Buffer.AsSpan(buffer.Offset, buffer.Length).ToArray();
    }
}
