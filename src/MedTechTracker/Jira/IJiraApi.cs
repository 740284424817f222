using System.Text.Json.Nodes;
using Refit;

namespace MedTechTracker.Jira;

/// <summary>
/// The Jira Cloud REST v3 calls, as Refit declares them. Responses are returned raw so that
/// <see cref="JiraClient"/> parses them itself (deep ADF needs <c>AdfText.ParseOptions</c>) and maps errors.
/// </summary>
[Headers("Accept: application/json")]
public interface IJiraApi
{
    [Get("/rest/api/3/myself")]
    Task<HttpResponseMessage> GetMyselfAsync(CancellationToken cancellationToken);

    [Get("/rest/api/3/issue/{issueKey}?fields=summary,description,issuetype,project,subtasks,parent&properties=" + JiraClient.TrackerPropertyKey)]
    Task<HttpResponseMessage> GetIssueAsync(string issueKey, CancellationToken cancellationToken);

    [Get("/rest/api/3/issue/{issueKey}/properties/{propertyKey}")]
    Task<HttpResponseMessage> GetIssuePropertyAsync(string issueKey, string propertyKey, CancellationToken cancellationToken);

    [Put("/rest/api/3/issue/{issueKey}/properties/{propertyKey}")]
    Task<HttpResponseMessage> SetIssuePropertyAsync(string issueKey, string propertyKey, [Body] JsonObject value, CancellationToken cancellationToken);

    [Get("/rest/api/3/issue/createmeta/{projectKey}/issuetypes")]
    Task<HttpResponseMessage> GetCreateMetaIssueTypesAsync(string projectKey, [Query] int startAt, [Query] int maxResults, CancellationToken cancellationToken);

    [Get("/rest/api/3/issue/createmeta/{projectKey}/issuetypes/{issueTypeId}")]
    Task<HttpResponseMessage> GetCreateMetaFieldsAsync(string projectKey, string issueTypeId, [Query] int startAt, [Query] int maxResults, CancellationToken cancellationToken);

    [Get("/rest/api/3/project/{projectKey}")]
    Task<HttpResponseMessage> GetProjectAsync(string projectKey, CancellationToken cancellationToken);

    [Post("/rest/api/3/issue/bulk")]
    Task<HttpResponseMessage> CreateIssuesAsync([Body] JsonObject body, CancellationToken cancellationToken);

    [Post("/rest/api/3/search/jql")]
    Task<HttpResponseMessage> SearchAsync([Body] JiraSearchRequest body, CancellationToken cancellationToken);

    [Post("/rest/api/3/search/approximate-count")]
    Task<HttpResponseMessage> ApproximateCountAsync([Body] JiraCountRequest body, CancellationToken cancellationToken);

    [Get("/rest/api/3/project/search")]
    Task<HttpResponseMessage> SearchProjectsAsync([Query] int startAt, [Query] int maxResults, CancellationToken cancellationToken);
}
