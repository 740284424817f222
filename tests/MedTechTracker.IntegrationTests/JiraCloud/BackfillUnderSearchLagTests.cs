using System.Text.RegularExpressions;
using MedTechTracker.IntegrationTests.Backfill;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.JiraCloud;

/// <summary>The backfill as processes against the simulator whose search lags writes by 30 s.</summary>
public sealed partial class BackfillUnderSearchLagTests : IDisposable
{
    private readonly SimulatorWorld _world = new();

    private SimulatedJira Jira => _world.Jira;

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task A_backfill_killed_and_resumed_while_search_lags_30_seconds_creates_no_duplicate()
    {
        Jira.AddProject("MED", "Infusion pump");
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        var issues = Enumerable.Range(0, 300).Select(i => Jira.AddIssue("MED", "Pump hazard when the password expires", created: start.AddSeconds(i))).ToList();
        Jira.SearchLag = TimeSpan.FromSeconds(30);
        var environment = _world.Environment(
            ("Backfill__RequestsPerSecond", "40"),
            ("Backfill__PageSize", "50"),
            ("Backfill__LeaseTimeout", "00:00:02"),
            ("Backfill__PollInterval", "00:00:00.200"));
        using (var enable = new TrackerProcess(environment, "projects", "enable", "MED"))
        {
            Assert.True(await enable.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, enable.Output);
        }

        string id;
        using (var first = new TrackerProcess(environment, "backfill", "start", "--project", "MED", "--wait"))
        {
            await Poll.UntilAsync(() => Jira.BulkCreateCalls >= 3 || first.Process.HasExited, "the first process created some sub-tasks", TimeSpan.FromMinutes(2));
            Assert.False(first.Process.HasExited, $"The backfill ended before it could be killed:\n{first.Output}");
            first.KillHard();
            id = JobId().Match(first.Output) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"No job id in:\n{first.Output}");
        }

        Assert.True(issues.Count(i => Jira.SubtasksOf(i.Key).Count > 0) < issues.Count, "the job finished before the kill");
        using (var resumed = new TrackerProcess(environment, "backfill", "resume", id, "--wait"))
        {
            Assert.True(await resumed.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, resumed.Output);
        }

        Assert.All(issues, issue =>
        {
            var summaries = Jira.SubtasksOf(issue.Key).Select(s => s.Summary).ToList();
            Assert.Equal(2, summaries.Count);
            Assert.Equal(summaries.Count, summaries.Distinct().Count());
        });
    }

    [GeneratedRegex(@"Queued backfill (bf-[0-9a-z-]+) ")]
    private static partial Regex JobId();
}
