namespace MedTechTracker.Queue;

/// <summary>Where a broker message carries the trace context: W3C names, and Diagnostic-Id (Service Bus's older name of traceparent).</summary>
internal static class TraceProperties
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string DiagnosticId = "Diagnostic-Id";

    public static readonly System.Text.Json.JsonSerializerOptions BodyJson = new(System.Text.Json.JsonSerializerDefaults.Web);
}
