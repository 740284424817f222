namespace MedTechTracker.Jira;

/// <summary>Body of <c>POST /rest/api/3/search/approximate-count</c>.</summary>
public sealed record JiraCountRequest(string Jql);
