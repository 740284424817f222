using System.Globalization;
using Azure.Messaging.ServiceBus;

namespace MedTechTracker.Queue.ServiceBus;

/// <summary>
/// The queue's $DeadLetterQueue sub-queue. A dead letter's id is its sequence number there. Listing peeks (nothing is
/// locked); replay receives under lock, sends a copy to the queue with a fresh delivery count and a new message id
/// (duplicate detection would drop the old one) and completes the dead letter; messages scanned past are abandoned.
/// </summary>
internal sealed class ServiceBusDeadLetterQueue(ServiceBusWorkQueue queue, TimeProvider time) : IDeadLetterQueue
{
    private const int Batch = 100;
    private static readonly TimeSpan ScanWait = TimeSpan.FromSeconds(2);

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        await using var receiver = CreateReceiver();
        var result = new List<DeadLetter>();
        long from = 0;
        while (result.Count < max)
        {
            var page = await receiver.PeekMessagesAsync(Math.Min(Batch, max - result.Count), from, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            result.AddRange(page.Select(ToDeadLetter));
            from = page[^1].SequenceNumber + 1;
        }

        return result;
    }

    public async Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return null;
        }

        await using var receiver = CreateReceiver();
        var message = await receiver.PeekMessageAsync(sequence, cancellationToken).ConfigureAwait(false);
        return message is not null && message.SequenceNumber == sequence ? ToDeadLetter(message) : null;
    }

    public async Task<bool> ReplayAsync(string id, CancellationToken cancellationToken) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
        && await ScanAsync(m => m.SequenceNumber == sequence, replay: true, stopAfterFirst: true, cancellationToken).ConfigureAwait(false) > 0;

    public Task<int> ReplayAllAsync(CancellationToken cancellationToken) => ScanAsync(_ => true, replay: true, stopAfterFirst: false, cancellationToken);

    public Task<int> PurgeAsync(CancellationToken cancellationToken) => ScanAsync(_ => true, replay: false, stopAfterFirst: false, cancellationToken);

    private ServiceBusReceiver CreateReceiver() =>
        queue.Client.CreateReceiver(queue.QueueName, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter, ReceiveMode = ServiceBusReceiveMode.PeekLock });

    /// <summary>Receives dead letters under lock; the chosen ones are replayed or removed, the others given back untouched.</summary>
    private async Task<int> ScanAsync(Func<ServiceBusReceivedMessage, bool> choose, bool replay, bool stopAfterFirst, CancellationToken cancellationToken)
    {
        await using var receiver = CreateReceiver();
        var passed = new List<ServiceBusReceivedMessage>();
        var done = 0;
        try
        {
            while (true)
            {
                var batch = await receiver.ReceiveMessagesAsync(Batch, ScanWait, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    return done;
                }

                foreach (var message in batch)
                {
                    if ((stopAfterFirst && done > 0) || !choose(message))
                    {
                        passed.Add(message);
                        continue;
                    }

                    if (replay && ServiceBusMessageCodec.TryDecode(message, out var reference))
                    {
                        var id = $"{reference.MessageId}/replay-{time.GetUtcNow().ToUnixTimeMilliseconds()}";
                        await queue.SendAsync(ServiceBusMessageCodec.Copy(reference, queue.SessionsEnabled, id, 0, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                    }

                    await receiver.CompleteMessageAsync(message, cancellationToken).ConfigureAwait(false);
                    done++;
                }

                if (stopAfterFirst && done > 0)
                {
                    return done;
                }
            }
        }
        finally
        {
            foreach (var message in passed)
            {
                try
                {
                    await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (ServiceBusException)
                {
                    // The lock expires on its own and the dead letter stays where it is.
                }
            }
        }
    }

    private static DeadLetter ToDeadLetter(ServiceBusReceivedMessage message)
    {
        var decoded = ServiceBusMessageCodec.TryDecode(message, out var reference);
        reference = decoded ? reference : new IssueReference(message.MessageId ?? "(none)", "", "", "", DateTimeOffset.MinValue);
        var at = message.ApplicationProperties.TryGetValue(ServiceBusMessageCodec.DeadLetteredAt, out var value) && value is DateTime when
            ? new DateTimeOffset(DateTime.SpecifyKind(when, DateTimeKind.Utc))
            : message.EnqueuedTime;
        return new DeadLetter(
            message.SequenceNumber.ToString(CultureInfo.InvariantCulture),
            reference,
            message.DeadLetterReason ?? "(no reason recorded)",
            ServiceBusMessageCodec.Attempts(message),
            at);
    }
}
