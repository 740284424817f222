using MedTechTracker.TestSupport.ServiceBus;

namespace MedTechTracker.IntegrationTests.ServiceBus;

/// <summary>The same smoke checks against the test broker, so the suite itself is known to pass where it runs.</summary>
public sealed class ServiceBusSmokeOnTestBrokerTests : ServiceBusSmoke, IDisposable
{
    private readonly ServiceBusTestBroker _broker = new();

    public ServiceBusSmokeOnTestBrokerTests() => _broker.CreateQueue(QueueName);

    protected override string? ConnectionString => _broker.ConnectionString;

    protected override string QueueName => "mtc-smoke";

    public void Dispose() => _broker.Dispose();
}
