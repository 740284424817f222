using Amqp.Handler;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>Makes the delivery tag the 16-byte lock token, as Service Bus does (the SDK reads the token with <c>new Guid(tag)</c>).</summary>
internal sealed class LockTokenTagHandler : IHandler
{
    public bool CanHandle(EventId id) => id == EventId.SendDelivery;

    public void Handle(Event protocolEvent)
    {
        if (protocolEvent.Context is IDelivery delivery
            && delivery.Message?.MessageAnnotations?[ServiceBusTestBroker.LockTokenAnnotation] is Guid token)
        {
            delivery.Tag = token.ToByteArray();
        }
    }
}
