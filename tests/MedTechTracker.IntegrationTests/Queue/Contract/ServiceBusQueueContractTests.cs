using MedTechTracker.IntegrationTests.ServiceBus;
using MedTechTracker.Queue;
using MedTechTracker.Queue.ServiceBus;
using MedTechTracker.TestSupport.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>The contract on the Service Bus adapter (the official SDK) against the local test broker, on a queue without sessions.</summary>
public class ServiceBusQueueContractTests : QueueContract
{
    private readonly ServiceBusTestBroker _broker = new();
    private readonly HashSet<string> _created = [];

    protected virtual bool Sessions => false;

    protected override string? Unsupported(QueueCapability capability) => capability switch
    {
        QueueCapability.OneLeasePerIssueKey when !Sessions => "Service Bus keeps one issue in one receiver only with sessions (ServiceBusSessionQueueContractTests); without them two receivers may hold messages of one issue at once",
        QueueCapability.ReceivesInBatches when Sessions => "With sessions a receive works in one session (one issue), so it leases one message",
        _ => null,
    };

    protected override Task<QueueUnderTest> OpenAsync(string name, ContractSettings settings)
    {
        if (_created.Add(name))
        {
            // Service Bus's own MaxDeliveryCount equals the adapter's, as docs/deploy-azure.md asks.
            _broker.CreateQueue(name, new BrokerQueueOptions { LockDuration = settings.LockDuration, MaxDeliveryCount = settings.MaxDeliveryCount, RequiresSession = Sessions });
        }

        var options = new ServiceBusOptions { ConnectionString = _broker.ConnectionString, TryTimeout = TimeSpan.FromSeconds(5), MaxRetries = 1, SessionsEnabled = Sessions, EditCoalescingWindow = TimeSpan.FromSeconds(2) };
        var client = ServiceBusQueueExtensions.CreateClient(options);
        var queueOptions = new QueueOptions { Name = name, MaxDeliveryCount = settings.MaxDeliveryCount, BackoffBase = settings.BackoffBase, BackoffCap = TimeSpan.FromMinutes(1), Prefetch = 10 };
        var queue = new ServiceBusWorkQueue(client, Options.Create(queueOptions), Options.Create(options), TimeProvider.System, NullLogger<ServiceBusWorkQueue>.Instance);
        return Task.FromResult(new QueueUnderTest(queue, new ServiceBusDeadLetterQueue(queue, TimeProvider.System), new AsyncDisposables(queue.DisposeAsync, client.DisposeAsync)));
    }

    protected override ValueTask DisposeAdapterAsync()
    {
        _broker.Dispose();
        return ValueTask.CompletedTask;
    }
}
