namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>A project and its issue types; <see cref="SubtaskType"/> null simulates a project without sub-tasks.</summary>
public sealed class SimulatedProject
{
    public required string Id { get; init; }
    public required string Key { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<IssueType> IssueTypes { get; init; } = [];
    public IssueType? SubtaskType => IssueTypes.FirstOrDefault(t => t.Subtask);
    public int NextNumber { get; set; } = 1;
}
