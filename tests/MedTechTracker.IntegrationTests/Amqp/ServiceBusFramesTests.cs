using Amqp.Framing;
using Amqp.Types;
using Azure.Core;
using MedTechTracker.Queue;
using MedTechTracker.Queue.Amqp;
using Microsoft.Extensions.Logging.Abstractions;

namespace MedTechTracker.IntegrationTests.Amqp;

/// <summary>The Service-Bus-only frames, asserted on a loopback AMQP listener that records what the adapter sends.</summary>
public sealed class ServiceBusFramesTests
{
    private const string Queue = "jira-issue-created";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Send_carries_the_webhook_id_trace_context_and_the_issue_key_as_session_id()
    {
        using var bus = new FakeServiceBus(Queue);
        var (queue, connections) = Create(bus, sessions: true);
        await using var _ = connections;
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-42", "MED-42", traceParent) with { TraceState = "congo=t61rcWkgMzE" }, CancellationToken.None);

        var sent = await FakeServiceBus.EventuallyAsync(() => bus.Sent.TryPeek(out var m) ? m : null, "the sent message");
        Assert.Equal("webhook-42", sent.Properties.MessageId);
        Assert.Equal("MED-42", sent.Properties.GroupId);
        Assert.Equal(traceParent, sent.ApplicationProperties["traceparent"]);
        Assert.Equal(traceParent, sent.ApplicationProperties["Diagnostic-Id"]);
        Assert.Equal("congo=t61rcWkgMzE", sent.ApplicationProperties["tracestate"]);
        Assert.True(sent.Header.Durable);
        var body = System.Text.Encoding.UTF8.GetString(((Data)sent.BodySection).Binary);
        Assert.Contains("\"issueKey\":\"MED-42\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_abandon_and_dead_letter_send_accepted_modified_and_the_dead_letter_rejection()
    {
        using var bus = new FakeServiceBus(Queue);
        var (queue, connections) = Create(bus);
        await using var _ = connections;
        bus.Deliver(Body("w-1", "MED-1"));
        bus.Deliver(Body("w-2", "MED-2"), deliveryCount: 1);
        bus.Deliver(Body("w-3", "MED-3"));

        var first = await queue.ReceiveAsync(Wait, CancellationToken.None);
        var second = await queue.ReceiveAsync(Wait, CancellationToken.None);
        var third = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.Equal(2, second.DeliveryCount); // Service Bus sends the count minus one.

        await queue.CompleteAsync(first, CancellationToken.None);
        await queue.AbandonAsync(second, "Jira answered 503", CancellationToken.None);
        await queue.DeadLetterAsync(third, "Jira 400 for MED-3: no sub-task issue type", CancellationToken.None);

        await FakeServiceBus.EventuallyAsync(() => bus.Dispositions.Count >= 3 ? bus.Dispositions : null, "three dispositions");
        var states = bus.Dispositions.ToDictionary(d => d.Message.Properties.MessageId.Length > 0 ? KeyOf(d.Message) : "", d => d.State);
        Assert.IsType<Accepted>(states["MED-1"]);
        var modified = Assert.IsType<Modified>(states["MED-2"]);
        Assert.True(modified.DeliveryFailed);
        Assert.False(modified.UndeliverableHere);
        var rejected = Assert.IsType<Rejected>(states["MED-3"]);
        Assert.Equal(new Symbol("com.microsoft:dead-letter"), rejected.Error.Condition);
        Assert.Equal("Jira 400 for MED-3: no sub-task issue type", rejected.Error.Info[new Symbol("DeadLetterReason")]);
        Assert.Contains("delivery 1 of 10", (string)rejected.Error.Info[new Symbol("DeadLetterErrorDescription")], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Abandon_on_the_last_allowed_delivery_dead_letters_with_the_reason()
    {
        using var bus = new FakeServiceBus(Queue);
        var (queue, connections) = Create(bus);
        await using var _ = connections;
        bus.Deliver(Body("w-9", "MED-9"), deliveryCount: 9);

        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(leased);
        Assert.Equal(10, leased.DeliveryCount);
        await queue.AbandonAsync(leased, "Jira answered 500", CancellationToken.None);

        var state = await FakeServiceBus.EventuallyAsync(() => bus.Dispositions.TryPeek(out var d) ? d.State : null, "the disposition");
        var rejected = Assert.IsType<Rejected>(state);
        Assert.Equal(new Symbol("com.microsoft:dead-letter"), rejected.Error.Condition);
        Assert.StartsWith("Jira answered 500", (string)rejected.Error.Info[new Symbol("DeadLetterReason")], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renew_lock_asks_management_for_the_message_lock_token()
    {
        using var bus = new FakeServiceBus(Queue);
        var (queue, connections) = Create(bus);
        await using var _ = connections;
        var lockToken = bus.Deliver(Body("w-5", "MED-5"));
        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(leased);
        Assert.Equal(lockToken.ToString(), leased.LockToken);

        var until = await queue.RenewLockAsync(leased, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(bus.LockRenewedUntil), until);
        var request = Assert.Single(bus.ManagementRequests);
        Assert.Equal("com.microsoft:renew-lock", request.ApplicationProperties["operation"]);
        var tokens = Assert.IsType<Guid[]>(((Map)request.Body)["lock-tokens"]);
        Assert.Equal([lockToken], tokens);
        await queue.CompleteAsync(leased, CancellationToken.None);
    }

    [Fact]
    public async Task Entra_id_puts_a_jwt_on_cbs_for_the_queue_and_renews_it_before_it_expires()
    {
        using var bus = new FakeServiceBus(Queue);
        var credential = new FakeCredential(TimeSpan.FromSeconds(7));
        var settings = new AmqpQueueSettings
        {
            Address = new global::Amqp.Address("127.0.0.1", bus.Port, null, null, "/", "amqp"),
            Dialect = AmqpDialect.ServiceBus,
            QueueName = Queue,
            Credential = credential,
            AudienceHost = "contoso.servicebus.windows.net",
            TokenRefreshMargin = TimeSpan.FromSeconds(5),
        };
        var (queue, connections) = Create(settings);
        await using var _ = connections;

        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-7", "MED-7"), CancellationToken.None);

        var first = await FakeServiceBus.EventuallyAsync(() => bus.CbsRequests.TryPeek(out var m) ? m : null, "a put-token");
        Assert.Equal("put-token", first.ApplicationProperties["operation"]);
        Assert.Equal("jwt", first.ApplicationProperties["type"]);
        Assert.Equal("amqp://contoso.servicebus.windows.net/jira-issue-created", first.ApplicationProperties["name"]);
        Assert.Equal("jwt-1", first.Body);
        Assert.Equal(["https://servicebus.azure.net/.default"], credential.Scopes);
        Assert.Single(bus.Sent);

        // Renewed ahead of expiry on the same connection, with a fresh token.
        var renewed = await FakeServiceBus.EventuallyAsync(
            () => bus.CbsRequests.FirstOrDefault(m => (string)m.Body != "jwt-1" && (string)m.ApplicationProperties["name"] == "amqp://contoso.servicebus.windows.net/jira-issue-created"),
            "a renewed put-token");
        Assert.Equal("jwt", renewed.ApplicationProperties["type"]);
    }

    [Fact]
    public async Task Session_receiver_asks_for_the_next_free_session_and_renews_the_session_lock()
    {
        using var bus = new FakeServiceBus(Queue, sessions: true, sessionId: "MED-11");
        var (queue, connections) = Create(bus, sessions: true);
        await using var _ = connections;
        bus.Deliver(Body("w-11", "MED-11"), sessionId: "MED-11");

        var leased = await queue.ReceiveAsync(Wait, CancellationToken.None);
        Assert.NotNull(leased);
        Assert.Equal("MED-11", leased.Message.IssueKey);
        var attach = Assert.Single(bus.ReceiverAttaches);
        var filter = ((Source)attach.Source).FilterSet;
        Assert.True(filter.ContainsKey(new Symbol("com.microsoft:session-filter")));

        await queue.RenewLockAsync(leased, CancellationToken.None);
        var request = Assert.Single(bus.ManagementRequests);
        Assert.Equal("com.microsoft:renew-session-lock", request.ApplicationProperties["operation"]);
        Assert.Equal("MED-11", ((Map)request.Body)["session-id"]);

        await queue.CompleteAsync(leased, CancellationToken.None);
        var state = await FakeServiceBus.EventuallyAsync(() => bus.Dispositions.TryPeek(out var d) ? d.State : null, "the disposition");
        Assert.IsType<Accepted>(state);
    }

    private static string Body(string messageId, string issueKey) =>
        System.Text.Json.JsonSerializer.Serialize(AmqpTestBroker.Reference(messageId, issueKey), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

    private static string KeyOf(global::Amqp.Message message) =>
        System.Text.Json.JsonDocument.Parse(((Data)message.BodySection).Binary).RootElement.GetProperty("issueKey").GetString()!;

    private static (AmqpWorkQueue Queue, AmqpConnectionManager Connections) Create(FakeServiceBus bus, bool sessions = false) =>
        Create(AmqpQueueSettings.From(new AmqpQueueOptions
        {
            Provider = "ServiceBus",
            Name = Queue,
            BackoffBase = TimeSpan.Zero,
            Concurrency = 1,
            ServiceBus = new ServiceBusOptions { ConnectionString = bus.ConnectionString, SessionsEnabled = sessions },
        }));

    private static (AmqpWorkQueue Queue, AmqpConnectionManager Connections) Create(AmqpQueueSettings settings)
    {
        var connections = new AmqpConnectionManager(settings, TimeProvider.System, NullLogger<AmqpConnectionManager>.Instance);
        return (new AmqpWorkQueue(connections, TimeProvider.System, NullLogger<AmqpWorkQueue>.Instance), connections);
    }

    private sealed class FakeCredential(TimeSpan lifetime) : TokenCredential
    {
        private int _issued;

        public string[] Scopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes = requestContext.Scopes;
            return new AccessToken($"jwt-{Interlocked.Increment(ref _issued)}", DateTimeOffset.UtcNow + lifetime);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
