using System.Collections.Concurrent;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Tests.Worker;

/// <summary>An in-memory Jira: issues, a sub-task type per project, and every create call recorded.</summary>
internal sealed class FakeJiraClient : IJiraClient
{
    private readonly ConcurrentDictionary<string, IssueSnapshot> _issues = new(StringComparer.Ordinal);
    private int _nextKey = 100;

    public ConcurrentDictionary<string, string?> SubtaskTypes { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<IReadOnlyList<SubtaskToCreate>> CreateCalls { get; } = new();

    public int IssueReads;

    /// <summary>Decides the fate of each item of a create call; null creates it.</summary>
    public Func<SubtaskToCreate, FailedSubtask?> FailItem { get; set; } = _ => null;

    /// <summary>Runs before an issue is returned: throw or block here to simulate Jira failures.</summary>
    public Func<string, CancellationToken, Task> BeforeGetIssue { get; set; } = (_, _) => Task.CompletedTask;

    public FakeJiraClient WithIssue(IssueSnapshot issue)
    {
        _issues[issue.Key] = issue;
        return this;
    }

    public IssueSnapshot Issue(string key) => _issues[key];

    public Task<string> GetBotAccountIdAsync(CancellationToken cancellationToken) => Task.FromResult("bot-account");

    public async Task<IssueSnapshot?> GetIssueAsync(string issueKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref IssueReads);
        await BeforeGetIssue(issueKey, cancellationToken);
        return _issues.TryGetValue(issueKey, out var issue) ? issue : null;
    }

    public Task<SubtaskScreen> GetSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken) =>
        Task.FromResult(new SubtaskScreen(projectKey, SubtaskTypes.TryGetValue(projectKey, out var id) ? id : "10003", ScreenFields.TryGetValue(projectKey, out var fields) ? fields : AllFields));

    /// <summary>Projects the bot cannot browse: GET project answers 404 for them.</summary>
    public HashSet<string> HiddenProjects { get; } = [];

    public Dictionary<string, IReadOnlySet<string>> ScreenFields { get; } = [];

    private static readonly IReadOnlySet<string> AllFields = new HashSet<string> { "summary", "parent", "description", "labels" };

    public Task<bool> IsProjectVisibleAsync(string projectKey, CancellationToken cancellationToken) => Task.FromResult(!HiddenProjects.Contains(projectKey));

    /// <summary>Runs when a create call arrives, before anything is created: throw here to fail the whole call.</summary>
    public Action<IReadOnlyList<SubtaskToCreate>> BeforeCreate { get; set; } = _ => { };

    public Task<BulkCreateResult> CreateSubtasksAsync(IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken)
    {
        CreateCalls.Enqueue(items);
        BeforeCreate(items);
        var created = new List<CreatedSubtask>();
        var failed = new List<FailedSubtask>();
        foreach (var item in items)
        {
            if (FailItem(item) is { } failure)
            {
                failed.Add(failure);
                continue;
            }

            var key = $"{item.ProjectKey}-{Interlocked.Increment(ref _nextKey)}";
            created.Add(new CreatedSubtask(item, key));
            _issues.AddOrUpdate(
                item.ParentKey,
                _ => throw new InvalidOperationException($"no parent {item.ParentKey}"),
                (_, parent) => parent with { ExistingSubtaskSummaries = [.. parent.ExistingSubtaskSummaries, item.Subtask.Summary] });
        }

        return Task.FromResult(new BulkCreateResult(created, failed));
    }

    public Task<SearchPage> SearchAsync(string jql, string? nextPageToken, int maxResults, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<long> ApproximateCountAsync(string jql, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<JiraProject>> ListProjectsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
