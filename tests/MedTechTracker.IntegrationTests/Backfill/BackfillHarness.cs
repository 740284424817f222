using MedTechTracker.Backfill;
using MedTechTracker.Jira;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MedTechTracker.IntegrationTests.Backfill;

/// <summary>The real backfill stack (SQLite store in a temp directory, the Refit Jira client, the rules file) against <see cref="JiraStub"/>.</summary>
public sealed class BackfillHarness : IDisposable
{
    private readonly List<IHost> _hosts = [];

    public BackfillHarness()
    {
        DataDirectory = Directory.CreateTempSubdirectory("mtc-backfill-").FullName;
    }

    public JiraStub Jira { get; } = new();

    public string DataDirectory { get; }

    public static string RulesPath => RulesFile.Resolve("config/rules.json");

    public Dictionary<string, string?> Settings(int pageSize = 100, int requestsPerSecond = 0) => new()
    {
        ["Data:Directory"] = DataDirectory,
        ["Jira:BaseUrl"] = Jira.BaseUrl,
        ["Jira:Email"] = "bot@example.com",
        ["Jira:ApiToken"] = "stub-token",
        ["Rules:Path"] = RulesPath,
        ["Backfill:RequestsPerSecond"] = requestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Backfill:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Backfill:LeaseTimeout"] = "00:00:02",
        ["Backfill:PollInterval"] = "00:00:00.200",
    };

    /// <summary>The environment a child process needs for the same configuration.</summary>
    public Dictionary<string, string> Environment(int pageSize = 100, int requestsPerSecond = 0) =>
        Settings(pageSize, requestsPerSecond).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);

    public IServiceProvider Services(int pageSize = 100, int requestsPerSecond = 0)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Settings(pageSize, requestsPerSecond));
        builder.AddRules();
        builder.AddStorage();
        builder.AddJira();
        builder.AddBackfillServices();
        var host = builder.Build();
        _hosts.Add(host);
        return host.Services;
    }

    public async Task SetProjectAsync(IServiceProvider services, string project, ProjectMode mode, SafetyClass safetyClass = SafetyClass.C) =>
        await services.GetRequiredService<ISettingsStore>().SaveAsync(new ProjectSettings(project, mode, safetyClass, DateTimeOffset.UtcNow, "test"), CancellationToken.None);

    public static async Task<BackfillJob> StartAsync(IServiceProvider services, BackfillRequest request)
    {
        var result = await services.GetRequiredService<BackfillJobs>().StartAsync(request, "test", CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        return result.Job!;
    }

    public static async Task<BackfillJob> RunAsync(IServiceProvider services, string id)
    {
        var runner = services.GetRequiredService<BackfillRunner>();
        var claimed = await runner.TryClaimAsync(id, CancellationToken.None);
        Assert.NotNull(claimed);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        return await runner.RunAsync(claimed, timeout.Token);
    }

    /// <summary>What an uninterrupted run over the stub's current issues must end with, and the sub-tasks it must create.</summary>
    public (BackfillCounters Counters, List<(string Parent, string Summary)> Missing) Expect(IServiceProvider services, string project, SafetyClass safetyClass = SafetyClass.C)
    {
        var rules = services.GetRequiredService<RulesProvider>().Current;
        var counters = BackfillCounters.Zero;
        var missing = new List<(string, string)>();
        foreach (var issue in Jira.Issues.Where(i => i.Project == project))
        {
            var plan = Planner.Plan(rules, Snapshot(issue), safetyClass);
            counters = counters.Add(new BackfillCounters(1, plan.Matches.Count > 0 ? 1 : 0, plan.ToCreate.Count, plan.AlreadyPresent.Count, 0));
            missing.AddRange(plan.ToCreate.Select(s => (issue.Key, s.Summary)));
        }

        return (counters, missing);
    }

    /// <summary>Gives generated issues some of their sub-tasks already: every 4th its first planned one, every 6th all of them.</summary>
    public void AddSomeAlreadyPresent(IServiceProvider services, string project, SafetyClass safetyClass = SafetyClass.C)
    {
        var rules = services.GetRequiredService<RulesProvider>().Current;
        var n = 0;
        foreach (var issue in Jira.Issues.Where(i => i.Project == project))
        {
            n++;
            if (n % 4 != 0 && n % 6 != 0)
            {
                continue;
            }

            var plan = Planner.Plan(rules, Snapshot(issue), safetyClass);
            foreach (var subtask in n % 6 == 0 ? plan.ToCreate : plan.ToCreate.Take(1))
            {
                issue.Subtasks.Add(($"{project}-P{n}-{subtask.RuleId}", subtask.Summary));
            }
        }
    }

    public static IssueSnapshot Snapshot(StubIssue issue) => new()
    {
        Key = issue.Key,
        ProjectKey = issue.Project,
        IssueType = issue.IssueType,
        Summary = issue.Summary,
        Description = issue.Description,
        ExistingSubtaskSummaries = [.. issue.Subtasks.Select(s => s.Summary)],
    };

    public void AssertNoDuplicateSubtasks()
    {
        foreach (var issue in Jira.Issues)
        {
            var summaries = issue.Subtasks.Select(s => s.Summary).ToList();
            Assert.True(summaries.Count == summaries.Distinct(StringComparer.Ordinal).Count(), $"{issue.Key} has a duplicate sub-task");
        }
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }

        Jira.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
