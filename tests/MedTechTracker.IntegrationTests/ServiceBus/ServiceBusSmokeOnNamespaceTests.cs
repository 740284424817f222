namespace MedTechTracker.IntegrationTests.ServiceBus;

/// <summary>
/// The smoke checks against a real namespace or the official emulator: MTC_SERVICEBUS_CONNECTION (a connection string
/// with Send and Listen rights) and MTC_SERVICEBUS_QUEUE (a dedicated queue, default "mtc-smoke"). Skipped without them.
/// </summary>
public sealed class ServiceBusSmokeOnNamespaceTests : ServiceBusSmoke
{
    protected override string? ConnectionString => Environment.GetEnvironmentVariable("MTC_SERVICEBUS_CONNECTION");

    protected override string QueueName => Environment.GetEnvironmentVariable("MTC_SERVICEBUS_QUEUE") is { Length: > 0 } name ? name : "mtc-smoke";
}
