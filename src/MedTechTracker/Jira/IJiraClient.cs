using MedTechTracker.Rules.Model;

namespace MedTechTracker.Jira;

/// <summary>The Jira port: the REST calls the service makes, as the bot account.</summary>
public interface IJiraClient
{
    /// <summary><c>GET /rest/api/3/myself</c> → the bot's accountId (loop protection).</summary>
    Task<string> GetBotAccountIdAsync(CancellationToken cancellationToken);

    /// <summary><c>GET /rest/api/3/issue/{key}?fields=summary,description,issuetype,project,subtasks,parent</c>; null on 404.</summary>
    Task<IssueSnapshot?> GetIssueAsync(string issueKey, CancellationToken cancellationToken);

    /// <summary>The project's sub-task issue type and its create screen's fields from createmeta (cached per project).</summary>
    Task<SubtaskScreen> GetSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken);

    /// <summary>Whether the bot can browse the project (<c>GET /project/{key}</c>, cached): tells a deleted issue from one it cannot see.</summary>
    Task<bool> IsProjectVisibleAsync(string projectKey, CancellationToken cancellationToken);

    /// <summary><c>POST /rest/api/3/issue/bulk</c>, at most 50 items per call (larger lists are split).</summary>
    Task<BulkCreateResult> CreateSubtasksAsync(IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken);

    /// <summary><c>POST /rest/api/3/search/jql</c> with fields summary, description, issuetype, subtasks, created.</summary>
    Task<SearchPage> SearchAsync(string jql, string? nextPageToken, int maxResults, CancellationToken cancellationToken);

    /// <summary><c>POST /rest/api/3/search/approximate-count</c>.</summary>
    Task<long> ApproximateCountAsync(string jql, CancellationToken cancellationToken);

    /// <summary><c>GET /rest/api/3/project/search</c>, all pages.</summary>
    Task<IReadOnlyList<JiraProject>> ListProjectsAsync(CancellationToken cancellationToken);
}
