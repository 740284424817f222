using Azure.Messaging.ServiceBus;

namespace MedTechTracker.Queue.ServiceBus;

/// <summary>A received message still to settle, with the receiver that holds its lock.</summary>
internal sealed record ServiceBusLease(ServiceBusReceivedMessage Message, ServiceBusReceiver Receiver, IssueReference Reference, int Attempts);
