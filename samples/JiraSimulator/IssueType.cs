namespace MedTechTracker.Samples.JiraSimulator;

public sealed record IssueType(string Id, string Name, bool Subtask)
{
    public int HierarchyLevel => Subtask ? -1 : 0;

    public static IReadOnlyList<IssueType> Standard { get; } =
    [
        new("10001", "Story", false),
        new("10002", "Task", false),
        new("10004", "Bug", false),
        new("10003", "Sub-task", true),
    ];
}
