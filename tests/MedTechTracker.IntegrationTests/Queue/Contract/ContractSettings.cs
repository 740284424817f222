namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>What one contract test asks of the queue under test.</summary>
public sealed record ContractSettings
{
    public int MaxDeliveryCount { get; init; } = 10;

    public TimeSpan LockDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan BackoffBase { get; init; } = TimeSpan.Zero;
}
