using Amqp;

namespace MedTechTracker.Queue.Amqp;

/// <summary>What the adapter remembers about a delivery it handed to the worker until the worker settles it.</summary>
internal sealed record AmqpLease(
    AmqpGeneration Generation,
    ReceiverLink Link,
    Message Message,
    IssueReference Reference,
    int Attempts);
