namespace MedTechTracker.Queue.Amqp;

/// <summary>Queue:ServiceBus:* settings.</summary>
public sealed class ServiceBusOptions
{
    /// <summary>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=… (SASL PLAIN). Either this or <see cref="Namespace"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Fully qualified namespace (&lt;name&gt;.servicebus.windows.net) for Entra ID (DefaultAzureCredential, CBS put-token).</summary>
    public string? Namespace { get; set; }

    /// <summary>The queue requires sessions: messages carry the issue key as session id and receivers lock one session (issue) at a time.</summary>
    public bool SessionsEnabled { get; set; }
}
