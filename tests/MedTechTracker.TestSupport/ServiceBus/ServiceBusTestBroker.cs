using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Types;

namespace MedTechTracker.TestSupport.ServiceBus;

/// <summary>
/// A small Service-Bus-compatible AMQP 1.0 broker on loopback, for running the official SDK in tests and benchmarks
/// (Microsoft's emulator needs Docker). It encodes one reading of Service Bus semantics, not Microsoft's code: see
/// SERVICEBUS-SDK.md for what the SDK needs from a broker; its own contract tests check each row.
/// Plaintext only: connect with <see cref="ConnectionString"/> (UseDevelopmentEmulator=true).
/// </summary>
public sealed class ServiceBusTestBroker : IDisposable
{
    public const string KeyName = "RootManageSharedAccessKey";
    public const string Key = "dGVzdC1icm9rZXIta2V5LW5vdC1hLXNlY3JldA==";
    public const string DeadLetterReasonProperty = "DeadLetterReason";
    public const string DeadLetterDescriptionProperty = "DeadLetterErrorDescription";
    public const string DeadLetterSuffix = "/$deadletterqueue";

    public static readonly Symbol LockTokenAnnotation = new("x-opt-lock-token");
    public static readonly Symbol LockedUntilAnnotation = new("x-opt-locked-until");
    public static readonly Symbol SequenceNumberAnnotation = new("x-opt-sequence-number");
    public static readonly Symbol EnqueuedTimeAnnotation = new("x-opt-enqueued-time");
    public static readonly Symbol ScheduledEnqueueTimeAnnotation = new("x-opt-scheduled-enqueue-time");
    public static readonly Symbol DeadLetterCondition = new("com.microsoft:dead-letter");
    public static readonly Symbol LockLostCondition = new("com.microsoft:message-lock-lost");
    public static readonly Symbol SessionFilter = new("com.microsoft:session-filter");
    public static readonly Symbol LockedUntilUtcProperty = new("com.microsoft:locked-until-utc");
    public static readonly Symbol TimeoutCondition = new("com.microsoft:timeout");

    private readonly ContainerHost _host;
    private readonly ConcurrentDictionary<string, BrokerQueue> _entities = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticker;

    /// <param name="port">0 picks a free loopback port (5672 may belong to a RabbitMQ node).</param>
    public ServiceBusTestBroker(int port = 0)
    {
        Port = port == 0 ? FreeLoopbackPort() : port;
        _host = new ContainerHost(new Address("127.0.0.1", Port, null, null, "/", "amqp"));
        var listener = _host.Listeners[0];
        listener.SASL.EnableMechanism(CbsSaslProfile.Name, new CbsSaslProfile());
        listener.HandlerFactory = _ => new LockTokenTagHandler();
        _host.AddressResolver = (_, attach) =>
        {
            // Every attach of ours advertises a size limit: without one the SDK refuses to send ("-1 bytes").
            attach.MaxMessageSize = MaxMessageSize;
            var address = attach.Role ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;
            return address is null ? null : Normalize(address);
        };
        _host.RegisterRequestProcessor("$cbs", new CbsProcessor(this));
        _host.RegisterLinkProcessor(new QueueLinkProcessor(this));
        _host.Open();
        _ticker = Task.Run(TickAsync);
    }

    public const ulong MaxMessageSize = 1024 * 1024;

    public int Port { get; }

    /// <summary>What the SDK needs to speak plaintext AMQP to this port; without the flag it starts TLS on 5671.</summary>
    public string ConnectionString => $"Endpoint=sb://127.0.0.1:{Port};SharedAccessKeyName={KeyName};SharedAccessKey={Key};UseDevelopmentEmulator=true";

    /// <summary>False makes every put-token fail with 401 (to see the SDK's error).</summary>
    public bool AcceptsTokens { get; set; } = true;

    /// <summary>Message ids of everything sent to any entity, duplicates included.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public ConcurrentQueue<(string Type, string Audience)> PutTokens { get; } = new();

    public ConcurrentQueue<string> ManagementOperations { get; } = new();

    /// <summary>Creates a queue (and its $DeadLetterQueue sub-queue) with the given properties.</summary>
    public void CreateQueue(string name, BrokerQueueOptions? options = null)
    {
        options ??= new BrokerQueueOptions();
        var key = Normalize(name);
        // The dead-letter sub-queue never requires sessions, even under a session queue.
        var deadLetters = new BrokerQueue(key + DeadLetterSuffix, options with { RequiresSession = false }, null, () => DateTime.UtcNow);
        var queue = new BrokerQueue(key, options, deadLetters, () => DateTime.UtcNow);
        if (!_entities.TryAdd(key, queue))
        {
            throw new InvalidOperationException($"The queue {name} exists already.");
        }

        _entities[deadLetters.Name] = deadLetters;
        _host.RegisterRequestProcessor(key + "/$management", new ManagementProcessor(queue, this));
        _host.RegisterRequestProcessor(deadLetters.Name + "/$management", new ManagementProcessor(deadLetters, this));
    }

    /// <summary>Messages available, scheduled or locked on the queue (or "queue/$DeadLetterQueue").</summary>
    public int CountOf(string entity) => Entity(entity)?.ActiveCount ?? throw new ArgumentException($"No entity {entity}.", nameof(entity));

    public int DuplicatesDroppedOn(string queue) => Entity(queue)?.DuplicatesDropped ?? 0;

    public void Dispose()
    {
        _stop.Cancel();
        _host.Close();
        try
        {
            _ticker.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Listener callbacks run on its I/O threads, where a throw (a link closing under us) would end the process.</summary>
    internal static void Safely(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or InvalidOperationException or NullReferenceException)
        {
        }
    }

    internal BrokerQueue? Entity(string address) => _entities.TryGetValue(Normalize(address), out var queue) ? queue : null;

    /// <summary>Service Bus addresses: "/q" or "q", any case, "$DeadLetterQueue" in any case.</summary>
    private static string Normalize(string address) => address.Trim().TrimStart('/').ToLowerInvariant();

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var queue in _entities.Values)
                {
                    queue.Tick();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class QueueLinkProcessor(ServiceBusTestBroker broker) : ILinkProcessor
    {
        public void Process(AttachContext attachContext)
        {
            var attach = attachContext.Attach;
            var address = attach.Role ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;
            if (address is null || broker.Entity(address) is not { } queue)
            {
                attachContext.Complete(new Error(ErrorCode.NotFound) { Description = $"The messaging entity '{address}' could not be found." });
                return;
            }

            if (attach.Role)
            {
                var receiver = new ReceiverEndpoint(queue, attachContext.Link);
                if (queue.Options.RequiresSession && !LockSession(attachContext, queue, receiver))
                {
                    return;
                }

                queue.AddReceiver(receiver);
                attachContext.Complete(receiver, 0);
            }
            else
            {
                attachContext.Complete(new IncomingEndpoint(queue, broker), 500);
            }
        }

        /// <summary>Answers the attach with the locked session in the filter and its lock expiry, as Service Bus does.</summary>
        private static bool LockSession(AttachContext attachContext, BrokerQueue queue, ReceiverEndpoint receiver)
        {
            var source = (Source)attachContext.Attach.Source;
            if (source.FilterSet is not { } filter || !filter.ContainsKey(SessionFilter))
            {
                attachContext.Complete(new Error(ErrorCode.NotAllowed) { Description = "It is not possible for an entity that requires sessions to create a non-sessionful message receiver." });
                return false;
            }

            if (queue.LockSession(filter[SessionFilter] as string, receiver) is not { } session)
            {
                attachContext.Complete(new Error(TimeoutCondition) { Description = "No session is available." });
                return false;
            }

            filter[SessionFilter] = session;
            attachContext.Attach.Properties ??= new Fields();
            attachContext.Attach.Properties[LockedUntilUtcProperty] = (DateTime.UtcNow + queue.Options.LockDuration).Ticks;
            return true;
        }
    }
}
