namespace MedTechTracker.Queue.ServiceBus;

/// <summary>The namespace could not be reached in time (the caller may retry later; ingress answers 503).</summary>
public sealed class ServiceBusQueueUnavailableException : Exception
{
    public ServiceBusQueueUnavailableException()
    {
    }

    public ServiceBusQueueUnavailableException(string message)
        : base(message)
    {
    }

    public ServiceBusQueueUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
