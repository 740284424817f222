namespace MedTechTracker.Rules.Model;

/// <summary>
/// What the rules see of an issue. Lives only in memory while rules are matched:
/// summary and description are never written anywhere.
/// </summary>
public sealed record IssueSnapshot
{
    public required string Key { get; init; }
    public string? Id { get; init; }
    public string? ProjectKey { get; init; }
    public string? ProjectId { get; init; }
    public string IssueType { get; init; } = "";
    public bool IsSubtask { get; init; }
    public string Summary { get; init; } = "";
    public string Description { get; init; } = "";

    /// <summary>Summaries of the sub-tasks the issue already has (the duplicate check).</summary>
    public IReadOnlyList<string> ExistingSubtaskSummaries { get; init; } = [];

    /// <summary>
    /// Issue properties Jira returned with the issue (key → raw JSON; small records apps keep, never issue text), or null
    /// when the answer carried no <c>properties</c> object (not asked for, or a webhook payload).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Properties { get; init; }

    /// <summary>Never prints the summary or description.</summary>
    public override string ToString() => $"IssueSnapshot {{ Key = {Key}, IssueType = {IssueType}, IsSubtask = {IsSubtask} }}";
}
