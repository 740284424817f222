namespace MedTechTracker.Jira;

public sealed record CreatedSubtask(SubtaskToCreate Item, string Key);

/// <summary>An item Jira refused. <paramref name="Permanent"/>: retrying cannot help (a 400 with field errors).</summary>
public sealed record FailedSubtask(SubtaskToCreate Item, int Status, string Error, bool Permanent);

public sealed record BulkCreateResult(IReadOnlyList<CreatedSubtask> Created, IReadOnlyList<FailedSubtask> Failed);
