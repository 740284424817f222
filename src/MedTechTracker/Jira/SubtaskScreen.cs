namespace MedTechTracker.Jira;

/// <summary>
/// A project's sub-task issue type and the fields its create screen offers (createmeta for that type). Sub-tasks are
/// created with the fields the screen allows; without Summary or Parent none can be created at all.
/// </summary>
public sealed record SubtaskScreen(string ProjectKey, string? IssueTypeId, IReadOnlySet<string> Fields)
{
    public bool AllowsDescription => Fields.Contains("description");

    public bool AllowsLabels => Fields.Contains("labels");

    /// <summary>Why no sub-task can be created in this project; null when it can.</summary>
    public string? Refusal => IssueTypeId is null
        ? $"project {ProjectKey} has no sub-task issue type: enable sub-tasks in the project's issue type scheme"
        : !Fields.Contains("summary")
            ? $"project {ProjectKey}'s sub-task create screen lacks Summary: add it to the screen"
            : !Fields.Contains("parent")
                ? $"project {ProjectKey}'s sub-task create screen lacks Parent: add it to the screen"
                : null;

    /// <summary>Optional fields the screen lacks (created without them).</summary>
    public IReadOnlyList<string> Lacking => [.. (AllowsDescription ? [] : new[] { "Description" }), .. AllowsLabels ? [] : new[] { "Labels" }];
}
