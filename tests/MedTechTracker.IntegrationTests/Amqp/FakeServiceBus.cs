using System.Collections.Concurrent;
using System.Threading.Channels;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace MedTechTracker.IntegrationTests.Amqp;

/// <summary>
/// An AMQPNetLite ContainerHost on loopback that plays the Service Bus side of the frames the broker in the tests
/// (RabbitMQ) cannot show: it records what the adapter sends (messages, dispositions, $cbs and $management requests)
/// and answers the way Service Bus does.
/// </summary>
internal sealed class FakeServiceBus : IDisposable
{
    public const string KeyName = "RootManageSharedAccessKey";
    public const string Key = "c2VjcmV0L2tleStwbHVz/+=";

    private readonly ContainerHost _host;
    private readonly Channel<Message> _toDeliver = Channel.CreateUnbounded<Message>();

    public FakeServiceBus(string queueName, bool sessions = false, string? sessionId = null)
    {
        Port = FreePort.Next();
        QueueName = queueName;
        _host = new ContainerHost(new Address("127.0.0.1", Port, null, null, "/", "amqp"));
        _host.Listeners[0].SASL.EnablePlainMechanism(KeyName, Key);
        _host.Listeners[0].SASL.EnableAnonymousMechanism = true;
        _host.RegisterMessageProcessor(queueName, new Recorder(Sent));
        if (sessions)
        {
            // No source at the queue address: attaches go to the link processor, which sees the session filter.
            _host.RegisterLinkProcessor(new SessionLinkProcessor(this, sessionId!));
        }
        else
        {
            _host.RegisterMessageSource(queueName, new Source(this));
        }

        _host.RegisterRequestProcessor("$cbs", new Responder(CbsRequests, _ =>
        {
            var properties = new ApplicationProperties();
            properties["status-code"] = 202;
            properties["status-description"] = "Accepted";
            return new Message { ApplicationProperties = properties };
        }));
        _host.RegisterRequestProcessor(queueName + "/$management", new Responder(ManagementRequests, request =>
        {
            var properties = new ApplicationProperties();
            properties["statusCode"] = 200;
            var operation = request.ApplicationProperties["operation"] as string;
            var body = new Map();
            if (operation == "com.microsoft:renew-session-lock")
            {
                body["expiration"] = LockRenewedUntil;
            }
            else
            {
                body["expirations"] = new[] { LockRenewedUntil };
            }

            return new Message { ApplicationProperties = properties, BodySection = new AmqpValue { Value = body } };
        }));
        _host.Open();
    }

    public int Port { get; }

    public string QueueName { get; }

    public DateTime LockRenewedUntil { get; } = new(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public ConcurrentQueue<Message> Sent { get; } = new();

    public ConcurrentQueue<(Message Message, DeliveryState State)> Dispositions { get; } = new();

    public ConcurrentQueue<Message> CbsRequests { get; } = new();

    public ConcurrentQueue<Message> ManagementRequests { get; } = new();

    public ConcurrentQueue<Attach> ReceiverAttaches { get; } = new();

    public string ConnectionString => $"Endpoint=sb://127.0.0.1:{Port}/;SharedAccessKeyName={KeyName};SharedAccessKey={Key};UseDevelopmentEmulator=true";

    /// <summary>Queues a message for delivery the way Service Bus shapes it: lock token, locked-until, delivery count.</summary>
    public Guid Deliver(string body, uint deliveryCount = 0, string? sessionId = null)
    {
        var lockToken = Guid.NewGuid();
        var message = new Message
        {
            Header = new Header { DeliveryCount = deliveryCount, Durable = true },
            Properties = new Properties { MessageId = Guid.NewGuid().ToString(), GroupId = sessionId },
            MessageAnnotations = new MessageAnnotations(),
            BodySection = new Data { Binary = System.Text.Encoding.UTF8.GetBytes(body) },
        };
        message.MessageAnnotations[new Symbol("x-opt-lock-token")] = lockToken;
        message.MessageAnnotations[new Symbol("x-opt-locked-until")] = DateTime.UtcNow.AddSeconds(60);
        message.MessageAnnotations[new Symbol("x-opt-enqueued-time")] = DateTime.UtcNow;
        _toDeliver.Writer.TryWrite(message);
        return lockToken;
    }

    public static async Task<T> EventuallyAsync<T>(Func<T?> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Gave up waiting for {what}.");
    }

    public void Dispose() => _host.Close();

    /// <summary>Listener callbacks run on its I/O threads, where a throw (a link closing under us) would end the test host.</summary>
    private static void Safely(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private sealed class Recorder(ConcurrentQueue<Message> sent) : IMessageProcessor
    {
        public int Credit => 100;

        public void Process(MessageContext messageContext)
        {
            sent.Enqueue(messageContext.Message);
            Safely(messageContext.Complete);
        }
    }

    private sealed class Source(FakeServiceBus bus) : IMessageSource
    {
        public async Task<ReceiveContext> GetMessageAsync(ListenerLink link) =>
            new(link, await bus._toDeliver.Reader.ReadAsync());

        public void DisposeMessage(ReceiveContext receiveContext, DispositionContext dispositionContext)
        {
            bus.Dispositions.Enqueue((receiveContext.Message, dispositionContext.DeliveryState));
            Safely(dispositionContext.Complete);
        }
    }

    private sealed class SessionLinkProcessor(FakeServiceBus bus, string sessionId) : ILinkProcessor
    {
        public void Process(AttachContext attachContext)
        {
            if (attachContext.Attach.Role && attachContext.Attach.Source is global::Amqp.Framing.Source source && source.Address == bus.QueueName)
            {
                bus.ReceiverAttaches.Enqueue(attachContext.Attach);

                // Service Bus answers the attach with the session it locked in the same filter.
                var filter = source.FilterSet ?? [];
                filter[new Symbol("com.microsoft:session-filter")] = sessionId;
                source.FilterSet = filter;
                attachContext.Complete(new SourceLinkEndpoint(new Source(bus), attachContext.Link), 0);
                return;
            }

            attachContext.Complete(new Error(ErrorCode.NotFound) { Description = "no such node" });
        }
    }

    private sealed class Responder(ConcurrentQueue<Message> requests, Func<Message, Message> respond) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            requests.Enqueue(requestContext.Message);
            var response = respond(requestContext.Message);
            response.Properties ??= new Properties();
            response.Properties.CorrelationId = requestContext.Message.Properties.MessageId;
            Safely(() => requestContext.Complete(response));
        }
    }
}
