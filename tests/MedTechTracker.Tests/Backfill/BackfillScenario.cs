using MedTechTracker.Backfill;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Tests.Backfill;

/// <summary>A project of generated issues in a fake Jira, and the counters an uninterrupted run must end with.</summary>
internal sealed class BackfillScenario : IDisposable
{
    private static readonly string[] Phrases =
    [
        "add unit tests for the infusion pump driver",
        "risk analysis of the alarm thresholds",
        "update the SBOM after the upgrade",
        "rename a variable",
        "fix the usability of the settings screen and a vulnerability in login",
        "tidy the build output",
        "integration testing of the dose calculator",
    ];

    public BackfillScenario(int issueCount, string project = "MED", SafetyClass safetyClass = SafetyClass.C, ProjectMode mode = ProjectMode.On)
    {
        Rules = new RulesProvider(Microsoft.Extensions.Options.Options.Create(new RulesOptions { Path = RulesFile.Resolve("config/rules.json") }), NullLogger<RulesProvider>.Instance);
        Project = project;
        SafetyClass = safetyClass;
        Settings.SaveAsync(new ProjectSettings(project, mode, safetyClass, DateTimeOffset.UtcNow), CancellationToken.None).GetAwaiter().GetResult();
        var start = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var created = start;
        for (var i = 1; i <= issueCount; i++)
        {
            // Every tenth issue shares its created instant with the one before it (ties at page boundaries).
            if (i % 10 != 0)
            {
                created = created.AddSeconds(37);
            }

            var issue = new FakeIssue($"{project}-{i}", project, created, Phrases[i % Phrases.Length], i % 9 == 0 ? "Bug" : "Story", []);
            if (i % 4 == 0 && Planner.Plan(Rules.Current, issue.Snapshot(), safetyClass).ToCreate is [var first, ..])
            {
                issue.Subtasks.Add(first.Summary);
            }

            Jira.Issues.Add(issue);
        }

        Expected = ExpectedCounters();
        ExpectedMissing = [.. Jira.Issues.SelectMany(i => Planner.Plan(Rules.Current, i.Snapshot(), safetyClass).ToCreate.Select(s => (i.Key, s.Summary)))];
    }

    public string Project { get; }

    public SafetyClass SafetyClass { get; }

    public FakeJira Jira { get; } = new();

    public InMemoryBackfillStore Store { get; } = new();

    public InMemorySettingsStore Settings { get; } = new();

    public RulesProvider Rules { get; }

    public BackfillCounters Expected { get; }

    public List<(string Parent, string Summary)> ExpectedMissing { get; }

    public BackfillOptions Options { get; } = new() { RequestsPerSecond = 0, PageSize = 25 };

    public BackfillRunner Runner(TimeProvider? time = null) => new(Jira, Store, Settings, Rules, new MedTechTracker.Jira.ParentWriteLocks(), Microsoft.Extensions.Options.Options.Create(Options), time ?? TimeProvider.System, NullLogger<BackfillRunner>.Instance);

    public BackfillJobs Jobs() => new(Store, Settings, TimeProvider.System, NullLogger<BackfillJobs>.Instance);

    public async Task<BackfillJob> StartAsync(bool dryRun = false, string? jql = null)
    {
        var result = await Jobs().StartAsync(new BackfillRequest(Project, jql, null, dryRun), "test", CancellationToken.None);
        Assert.True(result.Succeeded, result.Error);
        return result.Job!;
    }

    public async Task<BackfillJob> RunToEndAsync(string id)
    {
        var claimed = await Runner().TryClaimAsync(id, CancellationToken.None);
        Assert.NotNull(claimed);
        return await Runner().RunAsync(claimed, CancellationToken.None);
    }

    public void Dispose() => Rules.Dispose();

    private BackfillCounters ExpectedCounters()
    {
        var counters = BackfillCounters.Zero;
        foreach (var issue in Jira.Issues)
        {
            var plan = Planner.Plan(Rules.Current, issue.Snapshot(), SafetyClass);
            counters = counters.Add(new BackfillCounters(1, plan.Matches.Count > 0 ? 1 : 0, plan.ToCreate.Count, plan.AlreadyPresent.Count, 0));
        }

        return counters;
    }
}
