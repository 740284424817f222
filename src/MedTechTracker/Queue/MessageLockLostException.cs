namespace MedTechTracker.Queue;

/// <summary>
/// The lease of a received message is no longer held: it expired and the message was leased again, or it was
/// already settled. The message will be (or was) handled by whoever holds it now.
/// </summary>
public sealed class MessageLockLostException : Exception
{
    public MessageLockLostException()
    {
    }

    public MessageLockLostException(string message)
        : base(message)
    {
    }

    public MessageLockLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
