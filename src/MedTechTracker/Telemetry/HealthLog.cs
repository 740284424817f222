namespace MedTechTracker.Telemetry;

internal static partial class HealthLog
{
    [LoggerMessage(LogLevel.Warning, "Readiness check {Check} failed")]
    public static partial void CheckFailed(ILogger logger, Exception exception, string check);
}
