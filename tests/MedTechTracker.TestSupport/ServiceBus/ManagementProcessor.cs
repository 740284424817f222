using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>An entity's "$management" node: renew-lock and peek-message, the operations the SDK sends over AMQP.</summary>
internal sealed class ManagementProcessor(BrokerQueue queue, ServiceBusTestBroker broker) : IRequestProcessor
{
    public int Credit => 100;

    public void Process(RequestContext requestContext)
    {
        var request = requestContext.Message;
        var operation = request.ApplicationProperties?["operation"] as string;
        broker.ManagementOperations.Enqueue(operation ?? "");
        var body = request.Body as Map ?? [];
        var response = operation switch
        {
            "com.microsoft:renew-lock" => RenewLock(body),
            "com.microsoft:peek-message" => Peek(body),
            "com.microsoft:renew-session-lock" => RenewSessionLock(body),
            _ => Reply(501, "com.microsoft:not-implemented", $"The test broker does not implement {operation}."),
        };
        ServiceBusTestBroker.Safely(() => requestContext.Complete(response));
    }

    private Message RenewLock(Map body)
    {
        var tokens = (body["lock-tokens"] as Array)?.Cast<object>().OfType<Guid>().ToList() ?? [];
        var expirations = new List<DateTime>();
        foreach (var token in tokens)
        {
            if (queue.RenewLock(token) is not { } until)
            {
                return Reply(410, ServiceBusTestBroker.LockLostCondition.ToString(), "The lock supplied is invalid: it expired, or the message was already settled.");
            }

            expirations.Add(until);
        }

        var reply = Reply(200, null, "OK");
        reply.BodySection = new AmqpValue { Value = new Map { ["expirations"] = expirations.ToArray() } };
        return reply;
    }

    private Message RenewSessionLock(Map body)
    {
        if (body["session-id"] is not string session || queue.RenewSessionLock(session) is not { } until)
        {
            return Reply(410, "com.microsoft:session-lock-lost", "The session lock has expired or was released.");
        }

        var reply = Reply(200, null, "OK");
        reply.BodySection = new AmqpValue { Value = new Map { ["expiration"] = until } };
        return reply;
    }

    private Message Peek(Map body)
    {
        var from = body["from-sequence-number"] is long f ? f : 0;
        var count = body["message-count"] is int c ? c : 1;
        var messages = queue.Peek(from, count);
        if (messages.Count == 0)
        {
            return Reply(204, null, "No messages.");
        }

        var list = new List();
        foreach (var encoded in messages)
        {
            list.Add(new Map { ["message"] = encoded });
        }

        var reply = Reply(200, null, "OK");
        reply.BodySection = new AmqpValue { Value = new Map { ["messages"] = list } };
        return reply;
    }

    private static Message Reply(int status, string? condition, string description)
    {
        var properties = new ApplicationProperties();
        properties["statusCode"] = status;
        properties["statusDescription"] = description;
        if (condition is not null)
        {
            properties["errorCondition"] = new Symbol(condition);
        }

        return new Message { ApplicationProperties = properties };
    }
}
