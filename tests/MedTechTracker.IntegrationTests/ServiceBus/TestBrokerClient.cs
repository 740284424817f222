using Azure.Messaging.ServiceBus;
using MedTechTracker.TestSupport.ServiceBus;

namespace MedTechTracker.IntegrationTests.ServiceBus;

/// <summary>The SDK's client against the test broker, with short tries: a protocol gap fails in seconds, not minutes.</summary>
internal static class TestBrokerClient
{
    public static ServiceBusClient Create(ServiceBusTestBroker broker) =>
        new(broker.ConnectionString, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { TryTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 },
        });

    public static string UniqueQueueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
}
