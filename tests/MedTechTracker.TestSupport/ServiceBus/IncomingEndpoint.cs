using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>The broker's receiving end of a client's sender link: single messages and SDK batches (format 0x80013700).</summary>
internal sealed class IncomingEndpoint(BrokerQueue queue, ServiceBusTestBroker broker) : LinkEndpoint
{
    public const uint BatchFormat = 0x80013700;

    public override void OnMessage(MessageContext messageContext)
    {
        var message = messageContext.Message;
        if (message.Format == BatchFormat)
        {
            var sections = message.BodySection switch
            {
                DataList list => Enumerable.Range(0, list.Count).Select(i => list[i].Binary).ToList(),
                Data data => [data.Binary],
                _ => [],
            };
            foreach (var bytes in sections)
            {
                Accept(Message.Decode(new ByteBuffer(bytes, 0, bytes.Length, bytes.Length)));
            }
        }
        else
        {
            Accept(message);
        }

        ServiceBusTestBroker.Safely(messageContext.Complete);
    }

    public override void OnFlow(FlowContext flowContext)
    {
    }

    public override void OnDisposition(DispositionContext dispositionContext)
    {
    }

    private void Accept(Message message)
    {
        broker.Received.Enqueue(message.Properties?.MessageId ?? "");
        queue.Enqueue(message);
    }
}
