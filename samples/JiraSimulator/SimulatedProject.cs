namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>A project, its issue types, its sub-task create screen and whether the bot may browse it; <see cref="SubtaskType"/> null simulates a project without sub-tasks.</summary>
public sealed class SimulatedProject
{
    public required string Id { get; init; }
    public required string Key { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<IssueType> IssueTypes { get; init; } = [];
    public IssueType? SubtaskType => IssueTypes.FirstOrDefault(t => t.Subtask);
    public int NextNumber { get; set; } = 1;

    /// <summary>The fields the sub-task type's create screen offers; bulk create refuses any other field (400 per item).</summary>
    public HashSet<string> CreateScreen { get; } = new(StringComparer.Ordinal) { "project", "issuetype", "parent", "summary", "description", "labels" };

    /// <summary>The bot lacks Browse projects here: its issues, createmeta and the project itself answer 404.</summary>
    public bool HiddenFromBot { get; set; }
}
