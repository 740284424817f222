using MedTechTracker.Rules.Planning;

namespace MedTechTracker.Jira;

/// <summary>
/// One item of a bulk create: a planned sub-task under a parent, with the project's sub-task type, and whether the
/// create screen takes a description and labels.
/// </summary>
public sealed record SubtaskToCreate(string ProjectKey, string ParentKey, string IssueTypeId, PlannedSubtask Subtask, bool WithDescription = true, bool WithLabels = true)
{
    public static SubtaskToCreate On(SubtaskScreen screen, string parentKey, PlannedSubtask subtask) =>
        new(screen.ProjectKey, parentKey, screen.IssueTypeId!, subtask, screen.AllowsDescription, screen.AllowsLabels);
}
