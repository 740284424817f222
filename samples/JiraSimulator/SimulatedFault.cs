namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>A failure the simulator answers instead of the next call of an operation.</summary>
public sealed record SimulatedFault(int Status, string Body, string? RetryAfter = null, TimeSpan Delay = default);
