using MedTechTracker.Backfill;
using MedTechTracker.IntegrationTests.Pipeline;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Samples.JiraSimulator;
using MedTechTracker.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.JiraCloud;

/// <summary>The real host against the simulator behaving like Jira Cloud: tokens expire, quotas close, search lags, screens lack fields.</summary>
[Collection(PipelineCollection.Name)]
public sealed class JiraCloudPipelineTests : IAsyncLifetime
{
    private const string Summary = "Infusion rate alarm is too quiet";
    private const string Description = "Nurses miss the alarm; this is a hazard for the patient.";
    private readonly PipelineEnvironment _env = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _env.DisposeAsync();

    private (string, string)[] OAuth() =>
    [
        ("Jira:Email", ""),
        ("Jira:ApiToken", ""),
        ("Jira:OAuth:ClientId", "svc-client"),
        ("Jira:OAuth:ClientSecret", "svc-secret-CANARY"),
        ("Jira:OAuth:TokenUrl", _env.Jira.Url + "/oauth/token"),
        ("Jira:GatewayUrl", _env.Jira.Url),
    ];

    [Fact]
    public async Task OAuth_tokens_that_expire_every_three_seconds_are_renewed_and_shared_across_a_run_of_webhooks_and_nothing_is_dead_lettered()
    {
        _env.Jira.RequireOAuth("svc-client", "svc-secret-CANARY", TimeSpan.FromSeconds(3));
        await using var host = await _env.StartHostAsync(extra: OAuth());
        await host.EnableAsync("MED");
        var issues = new List<SimulatedIssue>();
        for (var i = 0; i < 12; i++)
        {
            var issue = _env.Jira.AddIssue("MED", Summary, Description);
            issues.Add(issue);
            Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), $"wh-oauth-{i}"));
            await Task.Delay(700);
        }

        await Poll.UntilAsync(() => issues.All(i => _env.Jira.SubtasksOf(i.Key).Count == 2), "every issue has its sub-tasks", TimeSpan.FromSeconds(60));

        Assert.Empty(await host.App.Services.GetRequiredService<IDeadLetterQueue>().ListAsync(10, CancellationToken.None));
        var tokens = host.App.Services.GetRequiredService<JiraAccessTokens>();
        Assert.InRange(_env.Jira.TokensIssued, 2, _env.Jira.TotalCalls / 3);
        Assert.Equal(_env.Jira.TokensIssued, tokens.Fetched);
        Assert.DoesNotContain(_env.Telemetry.Logs, l => l.Contains("CANARY", StringComparison.Ordinal) || System.Text.RegularExpressions.Regex.IsMatch(l, "sim-[0-9a-f]{32}"));
    }

    [Fact]
    public async Task The_bot_account_id_from_configuration_means_myself_is_never_called_and_a_scoped_token_goes_through_the_gateway()
    {
        await using var host = await _env.StartHostAsync(extra: [("Jira:ScopedToken", "true"), ("Jira:GatewayUrl", _env.Jira.Url), ("Jira:CloudId", SimulatedJira.CloudId), ("Jira:BotAccountId", "557058:configured-bot")]);
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", Summary, Description);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-scoped"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");

        Assert.Equal(0, _env.Jira.Calls(JiraOperation.Myself));
        Assert.Equal("557058:configured-bot", host.App.Services.GetRequiredService<BotIdentity>().AccountId);
        Assert.All(_env.Jira.Server.LogEntries.Where(e => e.RequestMessage!.Path.Contains("/rest/api/3/", StringComparison.Ordinal)),
            e => Assert.StartsWith($"/ex/jira/{SimulatedJira.CloudId}/rest/api/3/", e.RequestMessage!.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_25_second_quota_window_with_a_reset_instant_defers_the_work_loses_nothing_and_sends_almost_no_calls_into_it()
    {
        await using var host = await _env.StartHostAsync(extra: ShortRateBudget());
        await host.EnableAsync("MED");
        var issues = Enumerable.Range(0, 6).Select(_ => _env.Jira.AddIssue("MED", Summary, Description)).ToList();
        var until = _env.Jira.CloseRateWindow(TimeSpan.FromSeconds(25), "jira-quota-tenant-based");

        for (var i = 0; i < issues.Count; i++)
        {
            Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issues[i]), $"wh-quota-{i}"));
        }

        await Poll.UntilAsync(
            () => host.App.Services.GetRequiredService<JiraRateGovernor>().State.PausedUntil is not null,
            "the governor learned that Jira closed the window");
        using (var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Contains("paused by Jira until", body, StringComparison.Ordinal);
            Assert.Contains("jira-quota-tenant-based", body, StringComparison.Ordinal);
        }

        var notes = MedTechTracker.Admin.AdminPage.JiraNotes(host.App.Services.GetRequiredService<JiraRateGovernor>(), host.App.Services.GetRequiredService<JiraProjectChecks>());
        Assert.Contains(notes, n => n.StartsWith("Paused by Jira until", StringComparison.Ordinal) && n.Contains("reason jira-quota-tenant-based", StringComparison.Ordinal));

        try
        {
            await Poll.UntilAsync(() => issues.All(i => _env.Jira.SubtasksOf(i.Key).Count == 2), "every issue has its sub-tasks after the window", TimeSpan.FromSeconds(90));
        }
        catch (Xunit.Sdk.FailException)
        {
            throw new Xunit.Sdk.XunitException(string.Join("\n", _env.Telemetry.Logs.Where(l => l.Contains("MED-", StringComparison.Ordinal) || l.Contains("rate", StringComparison.OrdinalIgnoreCase)).Take(80)));
        }

        Assert.True(DateTimeOffset.UtcNow >= until);
        Assert.Empty(await host.App.Services.GetRequiredService<IDeadLetterQueue>().ListAsync(10, CancellationToken.None));
        Assert.InRange(_env.Jira.CallsWhileClosed, 1, 6);
        Assert.Contains(_env.Telemetry.Logs, l => l.Contains("deferred until", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_create_screen_without_labels_gets_its_subtasks_without_labels_once_and_readyz_says_so()
    {
        _env.Jira.AddProject("MED", "Infusion pump").CreateScreen.Remove("labels");
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", Summary, Description);

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-screen-1"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-screen-2"));
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the repeat is processed");

        var subtasks = _env.Jira.SubtasksOf(issue.Key);
        Assert.Equal(2, subtasks.Count);
        Assert.All(subtasks, s => Assert.Empty(s.Labels));
        Assert.Equal(2, subtasks.Select(s => s.Summary).Distinct().Count());
        Assert.Empty(await host.App.Services.GetRequiredService<IDeadLetterQueue>().ListAsync(10, CancellationToken.None));
        using var ready = await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Contains("MED: create screen lacks Labels", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_issue_in_a_project_the_bot_cannot_browse_is_dead_lettered_with_that_reason_and_no_issue_text()
    {
        _env.Jira.AddProject("SEC", "Restricted").HiddenFromBot = true;
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("SEC");
        var issue = _env.Jira.AddIssue("SEC", Summary, Description);
        var deadLetters = host.App.Services.GetRequiredService<IDeadLetterQueue>();

        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-hidden"));
        DeadLetter? deadLetter = null;
        await Poll.UntilAsync(async () => (deadLetter = (await deadLetters.ListAsync(10, CancellationToken.None)).FirstOrDefault()) is not null, "the message is dead-lettered");

        Assert.Contains($"{issue.Key}: not visible to the bot", deadLetter!.Reason, StringComparison.Ordinal);
        Assert.Contains("Browse projects", deadLetter.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Nurses", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _env.Jira.Calls(JiraOperation.GetProject));
        var notes = MedTechTracker.Admin.AdminPage.JiraNotes(host.App.Services.GetRequiredService<JiraRateGovernor>(), host.App.Services.GetRequiredService<JiraProjectChecks>());
        Assert.Contains(notes, n => n.StartsWith("SEC: not visible to the bot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_live_webhook_and_a_backfill_on_the_same_parent_while_search_lags_create_each_subtask_once()
    {
        _env.Jira.SearchLag = TimeSpan.FromSeconds(30);
        await using var host = await _env.StartHostAsync(extra: [("Backfill:PollInterval", "00:00:00.100")]);
        await host.EnableAsync("MED");
        var issues = Enumerable.Range(0, 5).Select(_ => _env.Jira.AddIssue("MED", Summary, Description, created: DateTimeOffset.UtcNow.AddHours(-1))).ToList();

        var sends = issues.Select((issue, i) => host.SendAsync(JiraWebhook.IssueCreated(issue), $"wh-race-{i}")).ToList();
        var started = await host.App.Services.GetRequiredService<BackfillJobs>().StartAsync(new BackfillRequest("MED"), "test", CancellationToken.None);
        Assert.All(await Task.WhenAll(sends), status => Assert.Equal(202, status));
        var id = started.Job!.Id;
        await Poll.UntilAsync(async () => (await host.App.Services.GetRequiredService<BackfillJobs>().GetAsync(id, CancellationToken.None))!.Status == BackfillStatus.Completed, "the backfill completed", TimeSpan.FromSeconds(60));
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the webhooks are processed");

        Assert.All(issues, issue => Assert.Equal(2, _env.Jira.SubtasksOf(issue.Key).Count));
    }

    private static (string, string)[] ShortRateBudget() => [("Jira:RateLimitWaitBudget", "00:00:05")];
}
