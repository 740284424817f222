using Azure.Messaging.ServiceBus;
using MedTechTracker.TestSupport.ServiceBus;

namespace MedTechTracker.IntegrationTests.ServiceBus;

/// <summary>
/// The test broker against the official SDK, row by row of what SERVICEBUS-SDK.md says the SDK needs from a broker,
/// then the Service Bus semantics the adapter relies on (delivery counts, lock expiry, dead-lettering, duplicates,
/// scheduling). Each test fails if the broker drops the behaviour it names.
/// </summary>
public sealed class ServiceBusTestBrokerTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly ServiceBusTestBroker _broker = new();
    private readonly string _queue = TestBrokerClient.UniqueQueueName("broker");
    private ServiceBusClient _client = null!;

    public Task InitializeAsync()
    {
        _broker.CreateQueue(_queue, new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(30), MaxDeliveryCount = 3 });
        _client = TestBrokerClient.Create(_broker);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        _broker.Dispose();
    }

    [Fact]
    public async Task The_sdk_connects_with_sasl_mssbcbs_its_only_mechanism_and_its_send_is_stored()
    {
        await using var sender = _client.CreateSender(_queue);

        await sender.SendMessageAsync(new ServiceBusMessage("hello") { MessageId = "m-1" });

        Assert.Equal(1, _broker.CountOf(_queue));
    }

    [Fact]
    public async Task Every_link_is_authorised_by_a_cbs_put_token_for_its_entity()
    {
        await using var sender = _client.CreateSender(_queue);
        await sender.SendMessageAsync(new ServiceBusMessage("hello"));

        Assert.Contains(_broker.PutTokens, t => t.Type == "servicebus.windows.net:sastoken" && t.Audience.EndsWith("/" + _queue, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_refused_put_token_surfaces_as_unauthorised_access()
    {
        _broker.AcceptsTokens = false;
        await using var sender = _client.CreateSender(_queue);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sender.SendMessageAsync(new ServiceBusMessage("hello")));
    }

    [Fact]
    public async Task Entity_addresses_match_in_any_case_and_an_unknown_entity_is_not_found()
    {
        await using var upper = _client.CreateSender(_queue.ToUpperInvariant());
        await upper.SendMessageAsync(new ServiceBusMessage("hello"));
        Assert.Equal(1, _broker.CountOf(_queue));

        await using var unknown = _client.CreateSender("no-such-queue");
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => unknown.SendMessageAsync(new ServiceBusMessage("hello")));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, error.Reason);
    }

    [Fact]
    public async Task Attaches_advertise_a_maximum_message_size_so_batches_have_a_limit()
    {
        await using var sender = _client.CreateSender(_queue);

        using var batch = await sender.CreateMessageBatchAsync();

        Assert.Equal((long)ServiceBusTestBroker.MaxMessageSize, batch.MaxSizeInBytes);
    }

    [Fact]
    public async Task A_batch_arrives_as_its_separate_messages()
    {
        await using var sender = _client.CreateSender(_queue);
        using var batch = await sender.CreateMessageBatchAsync();
        Assert.True(batch.TryAddMessage(new ServiceBusMessage("one") { MessageId = "b-1" }));
        Assert.True(batch.TryAddMessage(new ServiceBusMessage("two") { MessageId = "b-2" }));

        await sender.SendMessagesAsync(batch);

        await using var receiver = _client.CreateReceiver(_queue);
        var received = await ReceiveAsync(receiver, 2);
        Assert.Equal(["one", "two"], received.Select(m => m.Body.ToString()).Order());
    }

    [Fact]
    public async Task The_delivery_tag_is_the_lock_token_and_complete_gets_a_settled_answer()
    {
        await SendAsync("payload", "m-lock");
        await using var receiver = _client.CreateReceiver(_queue);

        var message = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(message);
        Assert.True(Guid.TryParse(message.LockToken, out var token) && token != Guid.Empty);
        Assert.Equal(1, message.DeliveryCount);
        Assert.True(message.SequenceNumber > 0);
        Assert.True(message.LockedUntil > DateTimeOffset.UtcNow);
        await receiver.CompleteMessageAsync(message);
        Assert.Equal(0, _broker.CountOf(_queue));
    }

    [Fact]
    public async Task Dead_letter_is_answered_and_the_message_moves_with_reason_and_description()
    {
        await SendAsync("poison", "m-dlq");
        await using var receiver = _client.CreateReceiver(_queue);
        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(message);

        await receiver.DeadLetterMessageAsync(message, "Jira 400 for MED-1", "on delivery 1 of 3");

        await using var deadLetters = _client.CreateReceiver(_queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(Wait);
        Assert.NotNull(dead);
        Assert.Equal("m-dlq", dead.MessageId);
        Assert.Equal("Jira 400 for MED-1", dead.DeadLetterReason);
        Assert.Equal("on delivery 1 of 3", dead.DeadLetterErrorDescription);
        await deadLetters.CompleteMessageAsync(dead);
        Assert.Equal(0, _broker.CountOf(_queue));
    }

    [Fact]
    public async Task Stopping_a_processor_drains_its_link_without_a_timeout()
    {
        await SendAsync("work", "m-processor");
        var processed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var processor = _client.CreateProcessor(_queue, new ServiceBusProcessorOptions { MaxConcurrentCalls = 4, AutoCompleteMessages = true });
        processor.ProcessMessageAsync += args =>
        {
            processed.TrySetResult(args.Message.MessageId);
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args =>
        {
            processed.TrySetException(args.Exception);
            return Task.CompletedTask;
        };

        await processor.StartProcessingAsync();
        Assert.Equal("m-processor", await processed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await processor.StopProcessingAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(processor.IsProcessing);
    }

    [Fact]
    public async Task Prefetch_zero_receives_one_credit_per_pending_receive()
    {
        await using var receiver = _client.CreateReceiver(_queue, new ServiceBusReceiverOptions { PrefetchCount = 0 });
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));

        await SendAsync("late", "m-late");

        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(message);
        Assert.Equal("m-late", message.MessageId);
    }

    [Fact]
    public async Task Renew_lock_over_management_extends_the_lock()
    {
        await SendAsync("long work", "m-renew");
        await using var receiver = _client.CreateReceiver(_queue);
        var message = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(message);
        var first = message.LockedUntil;
        await Task.Delay(1100);

        await receiver.RenewMessageLockAsync(message);

        Assert.True(message.LockedUntil > first, $"{message.LockedUntil:O} is not after {first:O}");
        Assert.Contains("com.microsoft:renew-lock", _broker.ManagementOperations);
    }

    [Fact]
    public async Task Peek_over_management_returns_messages_without_locking_them()
    {
        await SendAsync("first", "m-peek-1");
        await SendAsync("second", "m-peek-2");
        await using var receiver = _client.CreateReceiver(_queue);

        var peeked = await receiver.PeekMessagesAsync(10);

        Assert.Equal(["m-peek-1", "m-peek-2"], peeked.Select(m => m.MessageId));
        Assert.Equal(2, (await ReceiveAsync(receiver, 2)).Count);
    }

    [Fact]
    public async Task Abandon_counts_a_delivery_and_the_message_comes_back_at_once()
    {
        await SendAsync("retry me", "m-abandon");
        await using var receiver = _client.CreateReceiver(_queue);
        var first = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(first);

        await receiver.AbandonMessageAsync(first);

        var second = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(second);
        Assert.Equal(2, second.DeliveryCount);
    }

    [Fact]
    public async Task An_expired_lock_redelivers_the_message_and_settling_the_old_lock_fails_as_lock_lost()
    {
        const string queue = "short-lock";
        _broker.CreateQueue(queue, new BrokerQueueOptions { LockDuration = TimeSpan.FromSeconds(1) });
        await using var sender = _client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("slow") { MessageId = "m-expiry" });
        await using var receiver = _client.CreateReceiver(queue, new ServiceBusReceiverOptions { PrefetchCount = 0 });
        var first = await receiver.ReceiveMessageAsync(Wait);
        Assert.NotNull(first);

        var again = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(again);
        Assert.Equal(2, again.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, error.Reason);
        await Assert.ThrowsAsync<ServiceBusException>(() => receiver.RenewMessageLockAsync(first));
    }

    [Fact]
    public async Task After_the_maximum_delivery_count_the_message_is_dead_lettered_as_max_delivery_count_exceeded()
    {
        await SendAsync("poison", "m-max");
        await using var receiver = _client.CreateReceiver(_queue);
        for (var i = 1; i <= 3; i++)
        {
            var message = await receiver.ReceiveMessageAsync(Wait);
            Assert.NotNull(message);
            Assert.Equal(i, message.DeliveryCount);
            await receiver.AbandonMessageAsync(message);
        }

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));
        await using var deadLetters = _client.CreateReceiver(_queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(Wait);
        Assert.NotNull(dead);
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
    }

    [Fact]
    public async Task A_repeated_message_id_inside_the_window_is_dropped()
    {
        await SendAsync("once", "m-dup");
        await SendAsync("twice", "m-dup");

        Assert.Equal(1, _broker.CountOf(_queue));
        Assert.Equal(1, _broker.DuplicatesDroppedOn(_queue));
    }

    [Fact]
    public async Task A_scheduled_message_stays_invisible_until_its_time()
    {
        await using var sender = _client.CreateSender(_queue);
        await sender.SendMessageAsync(new ServiceBusMessage("later") { MessageId = "m-scheduled", ScheduledEnqueueTime = DateTimeOffset.UtcNow.AddSeconds(2) });
        await using var receiver = _client.CreateReceiver(_queue);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        var message = await receiver.ReceiveMessageAsync(Wait);

        Assert.NotNull(message);
        Assert.Equal("m-scheduled", message.MessageId);
    }

    [Fact]
    public async Task A_session_receiver_locks_one_session_gets_only_its_messages_and_renews_its_lock()
    {
        const string queue = "sessions";
        _broker.CreateQueue(queue, new BrokerQueueOptions { RequiresSession = true, LockDuration = TimeSpan.FromSeconds(10) });
        await using var sender = _client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("a1") { SessionId = "MED-1" });
        await sender.SendMessageAsync(new ServiceBusMessage("b1") { SessionId = "MED-2" });
        await sender.SendMessageAsync(new ServiceBusMessage("a2") { SessionId = "MED-1" });

        await using var first = await _client.AcceptNextSessionAsync(queue);
        await using var second = await _client.AcceptNextSessionAsync(queue);

        Assert.Equal("MED-1", first.SessionId);
        Assert.Equal("MED-2", second.SessionId);
        Assert.True(first.SessionLockedUntil > DateTimeOffset.UtcNow);
        var fromFirst = await ReceiveAsync(first, 2);
        Assert.Equal(["a1", "a2"], fromFirst.Select(m => m.Body.ToString()));
        Assert.Equal("b1", (await second.ReceiveMessageAsync(Wait))?.Body.ToString());
        var before = first.SessionLockedUntil;
        await Task.Delay(1100);
        await first.RenewSessionLockAsync();
        Assert.True(first.SessionLockedUntil > before);
        await Assert.ThrowsAsync<ServiceBusException>(() => _client.AcceptNextSessionAsync(queue));
        await using var plain = _client.CreateReceiver(queue);
        await Assert.ThrowsAnyAsync<Exception>(() => plain.ReceiveMessageAsync(Wait));
    }

    private async Task SendAsync(string body, string id)
    {
        await using var sender = _client.CreateSender(_queue);
        await sender.SendMessageAsync(new ServiceBusMessage(body) { MessageId = id });
    }

    private static async Task<List<ServiceBusReceivedMessage>> ReceiveAsync(ServiceBusReceiver receiver, int count)
    {
        var received = new List<ServiceBusReceivedMessage>();
        var deadline = DateTime.UtcNow + Wait;
        while (received.Count < count && DateTime.UtcNow < deadline)
        {
            received.AddRange(await receiver.ReceiveMessagesAsync(count - received.Count, TimeSpan.FromSeconds(1)));
        }

        return received;
    }
}
