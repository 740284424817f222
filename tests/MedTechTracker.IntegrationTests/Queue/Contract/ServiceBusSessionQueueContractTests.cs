namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>The same contract on a session queue (Queue:ServiceBus:SessionsEnabled): the issue key is the session id.</summary>
public sealed class ServiceBusSessionQueueContractTests : ServiceBusQueueContractTests
{
    protected override bool Sessions => true;
}
