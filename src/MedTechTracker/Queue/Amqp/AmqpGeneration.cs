using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace MedTechTracker.Queue.Amqp;

/// <summary>
/// One connection and the links opened on it. When anything on it fails the whole generation is dropped and a new one
/// is made: the broker returns every delivery left unsettled on the old one, so nothing is lost.
/// </summary>
internal sealed class AmqpGeneration
{
    private readonly AmqpQueueSettings _settings;
    private readonly Lock _gate = new();
    private readonly List<Message> _heldBack = [];
    private SenderLink? _sender;
    private SenderLink? _deadLetterSender;
    private ReceiverLink? _receiver;
    private volatile bool _broken;

    public AmqpGeneration(int id, AmqpQueueSettings settings, Connection connection, Session session)
    {
        Id = id;
        _settings = settings;
        Connection = connection;
        Session = session;
        connection.AddClosedCallback((_, _) => _broken = true);
        session.AddClosedCallback((_, _) => _broken = true);
    }

    public int Id { get; }

    public Connection Connection { get; }

    public Session Session { get; }

    public bool IsUsable => !_broken && !Connection.IsClosed && !Session.IsClosed;

    public void MarkBroken() => _broken = true;

    public SenderLink Sender
    {
        get
        {
            lock (_gate)
            {
                return _sender = Usable(_sender) ?? CreateSender("sender", _settings.WorkAddress);
            }
        }
    }

    public SenderLink DeadLetterSender
    {
        get
        {
            lock (_gate)
            {
                return _deadLetterSender = Usable(_deadLetterSender) ?? CreateSender("dead-letter-sender", _settings.DeadLetterAddress);
            }
        }
    }

    public ReceiverLink Receiver
    {
        get
        {
            lock (_gate)
            {
                if (_receiver is { IsClosed: false })
                {
                    return _receiver;
                }

                _receiver = CreateReceiver("receiver", _settings.WorkAddress, filter: null);
                _receiver.SetCredit(_settings.Prefetch, CreditMode.Auto);
                return _receiver;
            }
        }
    }

    public ReceiverLink CreateReceiver(string name, string address, Map? filter, OnAttached? onAttached = null, Session? session = null)
    {
        // RabbitMQ declares the queue with the durability the first link asks for; every link must ask the same.
        var source = new Source { Address = address, FilterSet = filter, Durable = 1 };

        var link = new ReceiverLink(session ?? Session, $"{name}-{Guid.NewGuid():N}", source, onAttached);
        return link;
    }

    public void HoldBack(Message message)
    {
        lock (_gate)
        {
            _heldBack.Add(message);
        }
    }

    public bool HasHeldBack
    {
        get
        {
            lock (_gate)
            {
                return _heldBack.Count > 0;
            }
        }
    }

    /// <summary>A held-back message whose issue is no longer in flight, if any.</summary>
    public Message? TakeHeldBack(Func<Message, bool> isFree)
    {
        lock (_gate)
        {
            var index = _heldBack.FindIndex(m => isFree(m));
            if (index < 0)
            {
                return null;
            }

            var message = _heldBack[index];
            _heldBack.RemoveAt(index);
            return message;
        }
    }

    public async Task CloseAsync()
    {
        _broken = true;
        try
        {
            await Connection.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException or IOException)
        {
            // The connection is already gone; the broker returns what was unsettled.
        }
    }

    private static SenderLink? Usable(SenderLink? link) => link is { IsClosed: false } ? link : null;

    private SenderLink CreateSender(string name, string address)
    {
        var target = new Target { Address = address, Durable = 1 };

        var link = new SenderLink(Session, $"{name}-{Guid.NewGuid():N}", target, null);
        return link;
    }
}
