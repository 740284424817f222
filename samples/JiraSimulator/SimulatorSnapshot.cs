namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>What the simulator holds, as served on <c>GET /__sim/state</c> for the <c>tree</c> command.</summary>
public sealed record SimulatorSnapshot(IReadOnlyList<SnapshotIssue> Issues, int BulkCreateCalls, DateTimeOffset? LastWriteAt);

public sealed record SnapshotIssue(
    string Key,
    string Project,
    string Type,
    string Summary,
    string? Parent,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Subtasks,
    int Reads,
    DateTimeOffset Created);
