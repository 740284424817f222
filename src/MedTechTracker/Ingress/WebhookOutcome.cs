namespace MedTechTracker.Ingress;

/// <summary>The "outcome" tag of <see cref="Telemetry.TrackerTelemetry.Webhooks"/>.</summary>
public static class WebhookOutcome
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";

    /// <summary>An edit while a message of the same issue was still waiting: that message will read the edit.</summary>
    public const string Coalesced = "coalesced";
    public const string Replay = "replay";
    public const string Stale = "stale";
    public const string Ignored = "ignored";
    public const string Unauthorized = "unauthorized";
    public const string Invalid = "invalid";
    public const string TooLarge = "too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string Unavailable = "unavailable";
}
