using System.Globalization;
using System.Text.RegularExpressions;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Tests.Backfill;

/// <summary>An in-memory Jira: issues with their sub-tasks, pages addressed by opaque tokens, every call recorded.</summary>
internal sealed partial class FakeJira : IJiraClient
{
    private readonly Lock _gate = new();

    public List<FakeIssue> Issues { get; } = [];

    public List<string> SearchedJql { get; } = [];

    public List<int> BulkCallSizes { get; } = [];

    public List<(string Parent, string Summary)> CreatedItems { get; } = [];

    public HashSet<string> ExpiredTokens { get; } = [];

    /// <summary>Throws this (simulating a process dying) on the given bulk call number (1-based).</summary>
    public (int Call, Exception Error)? FailBulkCall { get; set; }

    /// <summary>Rule ids Jira refuses permanently (a 400 for the item).</summary>
    public HashSet<string> RefusedRules { get; } = [];

    public int CountCalls { get; private set; }

    public string? SubtaskTypeId { get; set; } = "10003";

    public Task<string> GetBotAccountIdAsync(CancellationToken cancellationToken) => Task.FromResult("bot");

    public Task<IssueSnapshot?> GetIssueAsync(string issueKey, CancellationToken cancellationToken) =>
        Task.FromResult(Issues.FirstOrDefault(i => i.Key == issueKey)?.Snapshot());

    public Task<SubtaskScreen> GetSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken) =>
        Task.FromResult(new SubtaskScreen(projectKey, SubtaskTypeId, new HashSet<string> { "summary", "parent", "description", "labels" }));

    public Task<bool> IsProjectVisibleAsync(string projectKey, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<BulkCreateResult> CreateSubtasksAsync(IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            BulkCallSizes.Add(items.Count);
            if (FailBulkCall is { } fail && fail.Call == BulkCallSizes.Count)
            {
                // The request reached Jira and half of it was applied before the caller died.
                foreach (var item in items.Take(items.Count / 2))
                {
                    Apply(item);
                }

                throw fail.Error;
            }

            var created = new List<CreatedSubtask>();
            var failed = new List<FailedSubtask>();
            foreach (var item in items)
            {
                if (RefusedRules.Contains(item.Subtask.RuleId))
                {
                    failed.Add(new FailedSubtask(item, 400, "summary: refused", Permanent: true));
                    continue;
                }

                created.Add(new CreatedSubtask(item, Apply(item)));
            }

            return Task.FromResult(new BulkCreateResult(created, failed));
        }
    }

    public Task<SearchPage> SearchAsync(string jql, string? nextPageToken, int maxResults, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            SearchedJql.Add(jql);
            if (nextPageToken is not null && ExpiredTokens.Contains(nextPageToken))
            {
                throw new JiraException("search: the page token expired", 400, permanent: true) { PageTokenExpired = true };
            }

            var matching = Matching(jql);
            var start = nextPageToken is null ? 0 : int.Parse(nextPageToken.Split('@')[0], CultureInfo.InvariantCulture);
            var page = matching.Skip(start).Take(maxResults).Select(i => new SearchedIssue(i.Snapshot(), i.Created)).ToList();
            var next = start + page.Count < matching.Count ? $"{start + page.Count}@{jql.GetHashCode(StringComparison.Ordinal)}" : null;
            return Task.FromResult(new SearchPage(page, next));
        }
    }

    public Task<long> ApproximateCountAsync(string jql, CancellationToken cancellationToken)
    {
        CountCalls++;
        return Task.FromResult((long)Matching(jql).Count);
    }

    public Task<IReadOnlyList<JiraProject>> ListProjectsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<JiraProject>>([new JiraProject("1", "MED", "Medical")]);

    private List<FakeIssue> Matching(string jql)
    {
        var project = ProjectClause().Match(jql).Groups[1].Value;
        var since = CreatedClause().Match(jql) is { Success: true } m
            ? DateTimeOffset.ParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.MinValue;
        return [.. Issues.Where(i => i.Project == project && i.Created >= since).OrderBy(i => i.Created)];
    }

    private string Apply(SubtaskToCreate item)
    {
        Issues.Single(i => i.Key == item.ParentKey).Subtasks.Add(item.Subtask.Summary);
        CreatedItems.Add((item.ParentKey, item.Subtask.Summary));
        return $"{item.ProjectKey}-S{CreatedItems.Count}";
    }

    [GeneratedRegex(@"^project = (\S+)")]
    private static partial Regex ProjectClause();

    [GeneratedRegex("created >= \"([^\"]+)\"")]
    private static partial Regex CreatedClause();
}

internal sealed record FakeIssue(string Key, string Project, DateTimeOffset Created, string Summary, string IssueType, List<string> Subtasks)
{
    public IssueSnapshot Snapshot() => new()
    {
        Key = Key,
        ProjectKey = Project,
        IssueType = IssueType,
        Summary = Summary,
        ExistingSubtaskSummaries = [.. Subtasks],
    };
}
