using Amqp;
using Amqp.Framing;

namespace MedTechTracker.Queue.Amqp;

/// <summary>
/// Dead letters on "&lt;queue&gt;.deadletter", where the adapter moved them. Listing receives under lock and releases
/// (a browse that works on every broker); replay sends a copy to the work queue with a fresh delivery count and a new
/// message id, and accepts the dead letter.
/// </summary>
internal sealed class AmqpDeadLetterQueue(AmqpWorkQueue queue, TimeProvider time) : IDeadLetterQueue
{
    private static readonly TimeSpan FirstMessageWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan NextMessageWait = TimeSpan.FromMilliseconds(500);
    private const int MaxScan = 100_000;

    private AmqpQueueSettings Settings => queue.Connections.Settings;

    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken) =>
        ScanAsync(max, (_, _) => Decision.Keep, cancellationToken);

    public async Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken)
    {
        DeadLetter? found = null;
        await ScanAsync(MaxScan, (letter, _) =>
        {
            if (found is null && letter.Id == id)
            {
                found = letter;
                return Decision.KeepAndStop;
            }

            return Decision.Release;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    public async Task<bool> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        var replayed = 0;
        await ScanAsync(MaxScan, (letter, _) => letter.Id == id && replayed++ == 0 ? Decision.ReplayAndStop : Decision.Release, cancellationToken).ConfigureAwait(false);
        return replayed > 0;
    }

    public async Task<int> ReplayAllAsync(CancellationToken cancellationToken) =>
        (await ScanAsync(MaxScan, (_, _) => Decision.Replay, cancellationToken).ConfigureAwait(false)).Count;

    public async Task<int> PurgeAsync(CancellationToken cancellationToken) =>
        (await ScanAsync(MaxScan, (_, _) => Decision.Remove, cancellationToken).ConfigureAwait(false)).Count;

    private enum Decision
    {
        Keep,
        KeepAndStop,
        Release,
        Replay,
        ReplayAndStop,
        Remove,
    }

    /// <summary>Receives dead letters one by one; what is not replayed or removed is released back, untouched.</summary>
    private async Task<IReadOnlyList<DeadLetter>> ScanAsync(int max, Func<DeadLetter, Message, Decision> decide, CancellationToken cancellationToken)
    {
        var result = new List<DeadLetter>();
        if (max <= 0)
        {
            return result;
        }

        var generation = await queue.Connections.GetAsync(cancellationToken).ConfigureAwait(false);

        // A session of its own: RabbitMQ hands deliveries left unsettled on a detached link back only when their
        // session ends, and manual credit stops released messages from coming straight back to this scan.
        var session = new Session(generation.Connection);
        var link = generation.CreateReceiver("dead-letters", Settings.DeadLetterAddress, filter: null, session: session);
        var held = new List<Message>();
        try
        {
            const int batch = 100;
            var credit = Math.Min(max, batch);
            link.SetCredit(credit, CreditMode.Manual);
            var wait = FirstMessageWait;
            var seen = 0;
            while (seen < max)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (seen == credit)
                {
                    var more = Math.Min(max - seen, batch);
                    link.SetCredit(more, CreditMode.Manual);
                    credit += more;
                }

                var message = await link.ReceiveAsync(wait).ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }

                wait = NextMessageWait;
                seen++;
                var letter = ToDeadLetter(message);
                var decision = decide(letter, message);
                switch (decision)
                {
                    case Decision.Keep or Decision.KeepAndStop:
                        result.Add(letter);
                        held.Add(message);
                        break;
                    case Decision.Release:
                        held.Add(message);
                        break;
                    case Decision.Replay or Decision.ReplayAndStop:
                        await ReplayOneAsync(message, letter, cancellationToken).ConfigureAwait(false);
                        link.Accept(message);
                        result.Add(letter);
                        break;
                    case Decision.Remove:
                        link.Accept(message);
                        result.Add(letter);
                        break;
                }

                if (decision is Decision.KeepAndStop or Decision.ReplayAndStop)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                foreach (var message in held)
                {
                    link.Release(message);
                }

                await session.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or TimeoutException)
            {
                // The broker returns unsettled deliveries when the session goes.
            }
        }

        return result;
    }

    private async Task ReplayOneAsync(Message message, DeadLetter letter, CancellationToken cancellationToken)
    {
        var id = $"{letter.Message.MessageId}/replay-{time.GetUtcNow().ToUnixTimeMilliseconds()}";
        await queue.SendAsync(g => g.Sender, () => AmqpMessageCodec.Copy(message, letter.Message, id), cancellationToken).ConfigureAwait(false);
    }

    private DeadLetter ToDeadLetter(Message message)
    {
        AmqpMessageCodec.TryDecode(message, out var reference);
        var messageId = message.Properties?.MessageId ?? reference?.MessageId ?? "(none)";
        reference ??= new IssueReference(messageId, "", "", "", DateTimeOffset.MinValue);
        var reason = AmqpMessageCodec.GetString(message, AmqpMessageCodec.DeadLetterReason) ?? "(no reason recorded)";
        var count = AmqpMessageCodec.GetInt(message, AmqpMessageCodec.DeliveryCountAtDeadLetter);
        var at = message.ApplicationProperties?.Map.ContainsKey(AmqpMessageCodec.DeadLetteredAt) == true && message.ApplicationProperties[AmqpMessageCodec.DeadLetteredAt] is DateTime when
            ? new DateTimeOffset(DateTime.SpecifyKind(when, DateTimeKind.Utc))
            : time.GetUtcNow();
        return new DeadLetter(messageId, reference, reason, count, at);
    }
}
