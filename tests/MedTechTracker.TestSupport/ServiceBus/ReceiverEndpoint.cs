using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>
/// The broker's sending end of a client's receiver link. Credit is tracked here: AMQPNetLite's ListenerLink zeroes
/// its own count whenever a flow's delta is not positive and does not enforce it, so its view is shadowed to recover
/// the credit the client actually granted.
/// </summary>
internal sealed class ReceiverEndpoint : LinkEndpoint
{
    private readonly object _gate = new();
    private readonly BrokerQueue _queue;
    private readonly ListenerLink _link;
    private volatile bool _closed;
    private int _credit;
    private int _listenerCredit;
    private bool _draining;

    public ReceiverEndpoint(BrokerQueue queue, ListenerLink link)
    {
        _queue = queue;
        _link = link;

        // AMQPNetLite "releases" what is unsettled when a link goes; Service Bus keeps those locks until they expire.
        link.AddClosedCallback((_, _) => _closed = true);
    }

    public int Credit
    {
        get
        {
            lock (_gate)
            {
                return _credit;
            }
        }
    }

    public bool IsDraining
    {
        get
        {
            lock (_gate)
            {
                return _draining;
            }
        }
    }

    public bool SettlesOnSend => _link.SettleOnSend;

    /// <summary>The session this receiver locked; null on a queue without sessions.</summary>
    public string? SessionId { get; set; }

    /// <summary>Its session lock expired: it gets nothing more.</summary>
    public bool SessionLost { get; set; }

    public void TakeCredit()
    {
        lock (_gate)
        {
            _credit--;
            _listenerCredit--;
        }
    }

    public void Send(Message message) => ServiceBusTestBroker.Safely(() => _link.SendMessage(message));

    public void CompleteDrain()
    {
        lock (_gate)
        {
            if (!_draining)
            {
                return;
            }

            _draining = false;
            _credit = 0;
            _listenerCredit = 0;
        }

        ServiceBusTestBroker.Safely(_link.CompleteDrain);
    }

    public override void OnFlow(FlowContext flowContext)
    {
        lock (_gate)
        {
            // The listener computed delta against its own (possibly zeroed) count: the client's grant is that count plus delta.
            _credit = Math.Max(0, _listenerCredit + flowContext.Messages);
            _listenerCredit = flowContext.Messages <= 0 ? 0 : _listenerCredit + flowContext.Messages;
            _draining = flowContext.Link.IsDraining;
        }

        _queue.Pump();
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
        if (_closed || (dispositionContext.Settled && dispositionContext.DeliveryState is null))
        {
            return;
        }

        if (dispositionContext.Message.MessageAnnotations?[ServiceBusTestBroker.LockTokenAnnotation] is not Guid token)
        {
            return;
        }

        var outcome = _queue.Settle(token, dispositionContext.DeliveryState);
        if (!dispositionContext.Settled)
        {
            ServiceBusTestBroker.Safely(() => dispositionContext.Link.DisposeMessage(dispositionContext.Message, outcome, true));
        }

        _queue.Pump();
    }

    public override void OnLinkClosed(ListenerLink link, Error error) => _queue.RemoveReceiver(this);
}
