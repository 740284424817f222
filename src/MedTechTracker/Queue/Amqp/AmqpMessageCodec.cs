using static MedTechTracker.Queue.TraceProperties;
using System.Text;
using System.Text.Json;
using Amqp;
using Amqp.Framing;

namespace MedTechTracker.Queue.Amqp;

/// <summary>IssueReference ⇄ AMQP message. The body is the reference's JSON only: never issue text.</summary>
internal static class AmqpMessageCodec
{
    /// <summary>Deliveries so far, carried by the re-sent copy because such brokers do not count them.</summary>
    public const string Attempts = "mtc-attempts";

    public const string DeadLetterReason = "DeadLetterReason";
    public const string DeadLetterErrorDescription = "DeadLetterErrorDescription";
    public const string DeadLetteredAt = "mtc-dead-lettered-at";
    public const string DeliveryCountAtDeadLetter = "mtc-delivery-count";

    private static readonly JsonSerializerOptions Json = TraceProperties.BodyJson;

    public static Message Encode(IssueReference reference, string? messageId = null)
    {
        var message = new Message
        {
            Header = new Header { Durable = true },
            Properties = new Properties
            {
                MessageId = messageId ?? reference.MessageId,
                ContentType = "application/json",
                CreationTime = reference.ReceivedAt.UtcDateTime,
                Subject = "issue-created",
            },
            ApplicationProperties = new ApplicationProperties(),
            BodySection = new Data { Binary = JsonSerializer.SerializeToUtf8Bytes(reference, Json) },
        };

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

    /// <summary>A copy for the queue (re-send, dead-letter, replay): same body and trace context, new properties.</summary>
    public static Message Copy(Message original, IssueReference reference, string messageId)
    {
        var copy = Encode(reference, messageId);
        if (original.ApplicationProperties is { } props)
        {
            foreach (var key in new[] { TraceParent, TraceState, DiagnosticId })
            {
                if (props[key] is string value)
                {
                    copy.ApplicationProperties[key] = value;
                }
            }
        }

        return copy;
    }

    public static bool TryDecode(Message message, out IssueReference reference)
    {
        reference = null!;
        try
        {
            var bytes = message.BodySection switch
            {
                Data data => data.Binary,
                AmqpValue { Value: byte[] b } => b,
                AmqpValue { Value: string s } => Encoding.UTF8.GetBytes(s),
                _ => null,
            };
            if (bytes is null)
            {
                return false;
            }

            var decoded = JsonSerializer.Deserialize<IssueReference>(bytes, Json);
            if (decoded is null || string.IsNullOrEmpty(decoded.MessageId) || string.IsNullOrEmpty(decoded.IssueKey))
            {
                return false;
            }

            // The application property is authoritative: it is what other producers (and the official SDK) set.
            var traceParent = GetString(message, TraceParent) ?? GetString(message, DiagnosticId) ?? decoded.TraceParent;
            var traceState = GetString(message, TraceState) ?? decoded.TraceState;
            reference = decoded with { TraceParent = traceParent, TraceState = traceState };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string? GetString(Message message, string key) =>
        message.ApplicationProperties?.Map.ContainsKey(key) == true ? message.ApplicationProperties[key] as string : null;

    public static int GetInt(Message message, string key) =>
        message.ApplicationProperties?.Map.ContainsKey(key) == true
            ? message.ApplicationProperties[key] switch
            {
                int i => i,
                long l => (int)l,
                uint u => (int)u,
                short s => s,
                _ => 0,
            }
            : 0;
}
