namespace MedTechTracker.Queue.Amqp;

/// <summary>The broker could not be reached (ingress answers 503 so Jira retries; the worker backs off).</summary>
public sealed class AmqpQueueUnavailableException : Exception
{
    public AmqpQueueUnavailableException()
    {
    }

    public AmqpQueueUnavailableException(string message)
        : base(message)
    {
    }

    public AmqpQueueUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
