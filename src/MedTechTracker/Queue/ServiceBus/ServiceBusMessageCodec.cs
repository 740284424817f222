using static MedTechTracker.Queue.TraceProperties;
using System.Text.Json;
using Azure.Messaging.ServiceBus;

namespace MedTechTracker.Queue.ServiceBus;

/// <summary>IssueReference ⇄ Service Bus message. The body is the reference's JSON only: never issue text.</summary>
internal static class ServiceBusMessageCodec
{
    /// <summary>Deliveries of earlier copies: an abandoned message goes back as a scheduled copy carrying its count.</summary>
    public const string PriorAttempts = "mtc-prior-attempts";

    public const string DeadLetteredAt = "mtc-dead-lettered-at";

    private static readonly JsonSerializerOptions Json = TraceProperties.BodyJson;

    public static ServiceBusMessage Encode(IssueReference reference, bool sessions, string? messageId = null)
    {
        var message = new ServiceBusMessage(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(reference, Json)))
        {
            MessageId = messageId ?? reference.MessageId,
            ContentType = "application/json",
            Subject = "issue-created",
        };
        if (sessions)
        {
            message.SessionId = reference.IssueKey;
        }

        // Service Bus readers take traceparent first and Diagnostic-Id as the older name of the same thing.
        if (reference.TraceParent is { Length: > 0 } traceParent)
        {
            message.ApplicationProperties[TraceParent] = traceParent;
            message.ApplicationProperties[DiagnosticId] = traceParent;
            if (reference.TraceState is { Length: > 0 } traceState)
            {
                message.ApplicationProperties[TraceState] = traceState;
            }
        }

        return message;
    }

    /// <summary>A copy for the queue (retry, deferral, replay): same body and trace context, a new message id, the count given.</summary>
    public static ServiceBusMessage Copy(IssueReference reference, bool sessions, string messageId, int priorAttempts, DateTimeOffset visibleAt)
    {
        var copy = Encode(reference, sessions, messageId.Length > 128 ? messageId[^128..] : messageId);
        if (priorAttempts > 0)
        {
            copy.ApplicationProperties[PriorAttempts] = priorAttempts;
        }

        copy.ScheduledEnqueueTime = visibleAt;
        return copy;
    }

    public static bool TryDecode(ServiceBusReceivedMessage message, out IssueReference reference)
    {
        reference = null!;
        try
        {
            var decoded = JsonSerializer.Deserialize<IssueReference>(message.Body.ToMemory().Span, Json);
            if (decoded is null || string.IsNullOrEmpty(decoded.MessageId) || string.IsNullOrEmpty(decoded.IssueKey))
            {
                return false;
            }

            // The application properties are authoritative: they are what other producers (and the SDK) set.
            var traceParent = GetString(message, TraceParent) ?? GetString(message, DiagnosticId) ?? decoded.TraceParent;
            reference = decoded with { TraceParent = traceParent, TraceState = GetString(message, TraceState) ?? decoded.TraceState };
            return true;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Deliveries of this message: those of the copies before it plus the broker's count.</summary>
    public static int Attempts(ServiceBusReceivedMessage message) =>
        message.DeliveryCount + (message.ApplicationProperties.TryGetValue(PriorAttempts, out var prior) ? Convert.ToInt32(prior, System.Globalization.CultureInfo.InvariantCulture) : 0);

    private static string? GetString(ServiceBusReceivedMessage message, string key) =>
        message.ApplicationProperties.TryGetValue(key, out var value) ? value as string : null;
}
