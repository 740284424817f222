using System.ComponentModel.DataAnnotations;
using Azure.Messaging.ServiceBus;

namespace MedTechTracker.Queue.ServiceBus;

/// <summary>Section "Queue:ServiceBus": how to reach the namespace (queue name, delivery count and back-off are in "Queue").</summary>
public sealed class ServiceBusOptions : IValidatableObject
{
    public const string Section = "Queue:ServiceBus";

    /// <summary>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=… (SAS). Either this or <see cref="Namespace"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Fully qualified namespace (&lt;name&gt;.servicebus.windows.net): Entra ID through DefaultAzureCredential (managed identity in Azure).</summary>
    public string? Namespace { get; set; }

    /// <summary>The queue requires sessions: messages carry the issue key as session id and a receiver locks one session (issue) at a time.</summary>
    public bool SessionsEnabled { get; set; }

    /// <summary>How long one SDK attempt may take before it is retried (the SDK's default, 60 s, makes a dead namespace look like a hang).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Queue:ServiceBus:TryTimeout must be between 00:00:01 and 00:05:00.")]
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(20);

    [Range(0, 10, ErrorMessage = "Queue:ServiceBus:MaxRetries must be between 0 and 10.")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>How long a send may take, retries included: ingress answers 503 after it so Jira retries later.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Queue:ServiceBus:SendTimeout must be between 00:00:01 and 00:05:00.")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Edits of one issue inside one window of this length become one message: it is sent with the message id
    /// <c>edit-{issue id}-{window}</c>, scheduled for the window's end, and the queue's duplicate detection (whose history
    /// window must be at least this long) drops the rest. 0 turns it off (every edit is a message).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Queue:ServiceBus:EditCoalescingWindow must be between 00:00:00 and 00:05:00.")]
    public TimeSpan EditCoalescingWindow { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        var hasNamespace = !string.IsNullOrWhiteSpace(Namespace);
        if (hasConnectionString == hasNamespace)
        {
            yield return new ValidationResult(
                "Set exactly one of Queue:ServiceBus:ConnectionString or Queue:ServiceBus:Namespace.",
                [nameof(ConnectionString), nameof(Namespace)]);
        }
        else if (hasConnectionString && ParseError(ConnectionString!) is { } error)
        {
            yield return new ValidationResult($"Queue:ServiceBus:ConnectionString is invalid: {error}", [nameof(ConnectionString)]);
        }
    }

    private static string? ParseError(string connectionString)
    {
        try
        {
            var properties = ServiceBusConnectionStringProperties.Parse(connectionString);
            return properties.Endpoint is null
                ? "Endpoint=sb://<namespace>.servicebus.windows.net/ is missing"
                : string.IsNullOrEmpty(properties.SharedAccessKeyName) && string.IsNullOrEmpty(properties.SharedAccessSignature)
                    ? "SharedAccessKeyName and SharedAccessKey are required (for Entra ID use Queue:ServiceBus:Namespace instead)"
                    : null;
        }
        catch (FormatException ex)
        {
            // The SDK's message names the part that is wrong, never the key.
            return ex.Message;
        }
    }
}
