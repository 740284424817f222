using MedTechTracker.Rules.Planning;

namespace MedTechTracker.Jira;

/// <summary>One item of a bulk create: a planned sub-task under a parent, with the project's sub-task type.</summary>
public sealed record SubtaskToCreate(string ProjectKey, string ParentKey, string IssueTypeId, PlannedSubtask Subtask);
