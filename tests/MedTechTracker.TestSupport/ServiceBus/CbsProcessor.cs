using Amqp;
using Amqp.Framing;
using Amqp.Listener;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>The "$cbs" node: accepts every put-token for an audience of this namespace (the SDK puts one before each attach).</summary>
internal sealed class CbsProcessor(ServiceBusTestBroker broker) : IRequestProcessor
{
    public int Credit => 100;

    public void Process(RequestContext requestContext)
    {
        var properties = requestContext.Message.ApplicationProperties;
        var audience = properties?["name"] as string ?? "";
        broker.PutTokens.Enqueue((properties?["type"] as string ?? "", audience));
        var ok = properties?["operation"] as string == "put-token" && broker.AcceptsTokens;
        var reply = new ApplicationProperties();
        reply["status-code"] = ok ? 202 : 401;
        reply["status-description"] = ok ? "Accepted" : "Unauthorized";
        ServiceBusTestBroker.Safely(() => requestContext.Complete(new Message { ApplicationProperties = reply }));
    }
}
