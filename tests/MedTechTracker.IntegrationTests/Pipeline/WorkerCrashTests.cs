using System.Diagnostics;
using MedTechTracker.Hosting;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class WorkerCrashTests : IAsyncLifetime
{
    private readonly PipelineEnvironment _env = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Worker_killed_with_SIGKILL_while_holding_leases_leaves_every_issue_with_exactly_its_subtasks_after_restart()
    {
        await using var ingress = await _env.StartHostAsync(ServiceRole.Ingress);
        await ingress.EnableAsync("MED");
        (string Summary, string Description)[] texts =
        [
            ("Alarm volume", "New hazard when the alarm is muted."),
            ("Password policy", "Require a longer password."),
            ("Alarm settings page", "Hazard: user interface hides the password field."),
            ("Risk assessment for the pump", "No other change."),
            ("Encryption of the log export", "Alarm history is exported."),
            ("Hazard log clean-up", "Remove duplicate entries."),
        ];
        var issues = texts.Select(t => (Issue: _env.Jira.AddIssue("MED", t.Summary, t.Description), Expected: PipelineRules.ExpectedSummaries(t.Summary, t.Description))).ToList();
        Assert.All(issues, i => Assert.NotEmpty(i.Expected));

        var workerSettings = _env.Settings(("Queue:LockDuration", "00:00:04"), ("Worker:LockRenewalInterval", "00:00:01"), ("Worker:Concurrency", "4"));
        _env.Jira.BulkCreateDelay = TimeSpan.FromSeconds(3);
        await SendThenKillMidWayAsync("worker", workerSettings, ingress, issues.Select(i => i.Issue), bulkCreates: 2);

        Assert.False(await ingress.QueueIsEmptyAsync(), "the killed worker left leased messages behind");
        _env.Jira.BulkCreateDelay = TimeSpan.Zero;
        using var second = ServiceProcess.Start("worker", workerSettings);
        await Poll.UntilAsync(
            async () => await ingress.QueueIsEmptyAsync() && EveryIssueHasItsSubtasks(issues),
            "the restarted worker finished every issue");

        foreach (var (issue, expected) in issues)
        {
            Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
        }

        Assert.False(second.HasExited, second.Output);
    }

    [Fact]
    public async Task Serve_killed_with_SIGKILL_mid_burst_finishes_every_accepted_webhook_within_30_seconds_of_the_restart_exactly_once()
    {
        await using var ingress = await _env.StartHostAsync(ServiceRole.Ingress);
        await ingress.EnableAsync("MED");
        const string Description = "New hazard when the alarm is muted.";
        var issues = Enumerable.Range(0, 40)
            .Select(i => (Summary: $"Alarm limit {i}", Issue: _env.Jira.AddIssue("MED", $"Alarm limit {i}", Description)))
            .Select(t => (t.Issue, Expected: PipelineRules.ExpectedSummaries(t.Summary, Description)))
            .ToList();
        Assert.All(issues, i => Assert.NotEmpty(i.Expected));

        // The default lease (Queue:LockDuration) is a minute: only reclaiming the dead holder's leases can meet 30 s.
        var settings = _env.Settings(("Worker:Concurrency", "4"));
        _env.Jira.BulkCreateDelay = TimeSpan.FromSeconds(2);
        await SendThenKillMidWayAsync("serve", settings, ingress, issues.Select(i => i.Issue), bulkCreates: 4);

        Assert.False(await ingress.QueueIsEmptyAsync(), "the killed process left messages behind");
        _env.Jira.BulkCreateDelay = TimeSpan.Zero;
        var restarted = Stopwatch.StartNew();
        using var second = ServiceProcess.Start("serve", settings);
        await Poll.UntilAsync(
            async () => await ingress.QueueIsEmptyAsync() && EveryIssueHasItsSubtasks(issues),
            "the restarted process finished every issue",
            TimeSpan.FromSeconds(90));
        var took = restarted.Elapsed;

        foreach (var (issue, expected) in issues)
        {
            Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
        }

        Assert.True(took < TimeSpan.FromSeconds(30), $"every webhook was done {took.TotalSeconds:F1} s after the restart (process start-up included)");
        Assert.False(second.HasExited, second.Output);
    }

    /// <summary>Starts the role, sends one webhook per issue through the ingress, and SIGKILLs the process once Jira has seen that many bulk creates.</summary>
    private async Task SendThenKillMidWayAsync(string role, IReadOnlyDictionary<string, string> settings, PipelineHost ingress, IEnumerable<SimulatedIssue> issues, int bulkCreates)
    {
        using var first = ServiceProcess.Start(role, settings);
        foreach (var issue in issues)
        {
            Assert.Equal(202, await ingress.SendAsync(JiraWebhook.IssueCreated(issue), "wh-" + issue.Key));
        }

        await Poll.UntilAsync(() => _env.Jira.Calls(JiraOperation.BulkCreate) >= bulkCreates || first.HasExited, $"{role} is mid-way through bulk creates");
        Assert.False(first.HasExited, first.Output);
        first.KillHard();
    }

    private bool EveryIssueHasItsSubtasks(IEnumerable<(SimulatedIssue Issue, IReadOnlyList<string> Expected)> issues) =>
        issues.All(i => _env.Jira.SubtasksOf(i.Issue.Key).Count >= i.Expected.Count);
}
