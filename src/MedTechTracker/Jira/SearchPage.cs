using MedTechTracker.Rules.Model;

namespace MedTechTracker.Jira;

public sealed record SearchedIssue(IssueSnapshot Issue, DateTimeOffset Created);

/// <summary>One page of <c>POST /rest/api/3/search/jql</c>; <paramref name="NextPageToken"/> is null on the last page.</summary>
public sealed record SearchPage(IReadOnlyList<SearchedIssue> Issues, string? NextPageToken);
