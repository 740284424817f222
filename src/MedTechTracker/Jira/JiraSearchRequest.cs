namespace MedTechTracker.Jira;

/// <summary>Body of <c>POST /rest/api/3/search/jql</c>; a null token is omitted (first page).</summary>
public sealed record JiraSearchRequest(string Jql, IReadOnlyList<string> Fields, int MaxResults, string? NextPageToken);
