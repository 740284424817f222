using Amqp;

namespace MedTechTracker.Queue.Amqp;

/// <summary>One session receiver (Service Bus sessions): locks one session, that is one issue key, and serves one message at a time.</summary>
internal sealed class SessionSlot(int index)
{
    public int Index { get; } = index;

    public AmqpGeneration? Generation { get; set; }

    public ReceiverLink? Link { get; set; }

    public string? SessionId { get; set; }

    public bool IsAttached(AmqpGeneration generation) => Link is { IsClosed: false } && ReferenceEquals(Generation, generation);

    public async Task DetachAsync()
    {
        var link = Link;
        Link = null;
        SessionId = null;
        Generation = null;
        if (link is null)
        {
            return;
        }

        try
        {
            await link.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmqpException or ObjectDisposedException or TimeoutException)
        {
            // The session lock is given up either way.
        }
    }
}
