using System.Text;
using System.Text.Json.Nodes;
using MedTechTracker.Queue;
using MedTechTracker.Rules.Model;
using MedTechTracker.Samples.JiraSimulator;
using MedTechTracker.Storage;
using MedTechTracker.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>Signed <c>jira:issue_updated</c> webhooks with Jira Cloud's changelog shapes → ingress → SQLite queue → worker → simulated Jira.</summary>
[Collection(PipelineCollection.Name)]
public sealed class EditPipelineTests : IAsyncLifetime
{
    private const string Placeholder = "TBD";
    private const string AlarmSummary = "Infusion rate alarm is too quiet";
    private const string AlarmDescription = "Nurses miss the alarm; this is a hazard for the patient.";
    private readonly PipelineEnvironment _env = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task A_summary_edited_into_a_matching_text_gets_its_subtasks_once()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", Placeholder);
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-created"));
        await Poll.UntilAsync(() => _env.Jira.Reads(issue.Key) == 1, "the new issue was read");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");
        Assert.Empty(_env.Jira.SubtasksOf(issue.Key));

        var items = _env.Jira.Edit(issue.Key, summary: AlarmSummary);
        Assert.Equal(202, await host.SendAsync(UpdateWebhook.Build(issue, items), "wh-edit"));
        var expected = PipelineRules.ExpectedSummaries(AlarmSummary, "");
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == expected.Count, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
        Assert.Equal(1, _env.Jira.BulkCreateCalls);
        Assert.Equal(2, _env.Jira.Reads(issue.Key));
    }

    [Fact]
    public async Task The_same_edit_redelivered_and_edits_arriving_out_of_order_create_no_duplicate()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", Placeholder);
        var first = UpdateWebhook.Build(issue, _env.Jira.Edit(issue.Key, summary: AlarmSummary));
        var second = UpdateWebhook.Build(issue, _env.Jira.Edit(issue.Key, description: "The alarm screen asks for the password again."));

        Assert.Equal(202, await host.SendAsync(second, "wh-edit-2"));
        Assert.Equal(202, await host.SendAsync(first, "wh-edit-1"));
        Assert.Equal(202, await host.SendAsync(second, "wh-edit-2"));
        Assert.Equal(202, await host.SendAsync(first, "wh-edit-1-replayed-under-a-new-id"));
        var expected = PipelineRules.ExpectedSummaries(AlarmSummary, "The alarm screen asks for the password again.");
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count >= expected.Count, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        var summaries = _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).ToList();
        Assert.Equal(expected.Order(), summaries.Order());
        Assert.Equal(summaries.Count, summaries.Distinct().Count());
        Assert.InRange(_env.Jira.Reads(issue.Key), 1, 2);
    }

    [Theory]
    [InlineData("status", "To Do", "In Progress")]
    [InlineData("labels", "", "infusion-rate hazard")]
    [InlineData("assignee", null, "Ada Engineer")]
    public async Task An_edit_of_no_field_a_rule_reads_answers_204_with_no_queue_entry_and_no_Jira_call(string fieldId, string? from, string? to)
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        var queue = host.App.Services.GetRequiredService<IWorkQueue>();

        Assert.Equal(204, await host.SendAsync(UpdateWebhook.Build(issue, [UpdateWebhook.Item(fieldId, from, to)]), "wh-" + fieldId));

        Assert.Equal(0, (await queue.GetStatisticsAsync(CancellationToken.None)).ActiveCount);
        Assert.Equal(0, _env.Jira.Reads(issue.Key));
        Assert.Equal(0, _env.Jira.Calls(JiraOperation.GetIssue));
        Assert.Equal(0, _env.Jira.BulkCreateCalls);
    }

    [Fact]
    public async Task A_burst_of_twenty_edits_reads_the_issue_once_or_twice_and_creates_each_subtask_once()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", Placeholder);

        // The first edit's sub-tasks take a while to create, so the burst lands while that edit is in flight.
        _env.Jira.BulkCreateDelay = TimeSpan.FromSeconds(4);
        var answers = new List<int>();
        for (var i = 1; i <= 20; i++)
        {
            var items = _env.Jira.Edit(issue.Key, summary: $"{AlarmSummary} (draft {i})");
            answers.Add(await host.SendAsync(UpdateWebhook.Build(issue, items), $"wh-burst-{i}"));
        }

        var expected = PipelineRules.ExpectedSummaries(AlarmSummary, "");
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count >= expected.Count, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        Assert.All(answers, status => Assert.Equal(202, status));
        Assert.InRange(_env.Jira.Reads(issue.Key), 1, 2);
        Assert.Equal(1, _env.Jira.BulkCreateCalls);
        Assert.Equal(expected.Order(), _env.Jira.SubtasksOf(issue.Key).Select(s => s.Summary).Order());
    }

    [Fact]
    public async Task Edits_in_a_project_whose_on_update_choice_is_off_do_nothing()
    {
        await using var host = await _env.StartHostAsync();
        await host.App.Services.GetRequiredService<ISettingsStore>().SaveAsync(
            new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, DateTimeOffset.UtcNow, "test", OnUpdate: false), CancellationToken.None);
        var issue = _env.Jira.AddIssue("MED", Placeholder);

        var status = await host.SendAsync(UpdateWebhook.Build(issue, _env.Jira.Edit(issue.Key, summary: AlarmSummary)), "wh-edit");

        Assert.Equal(204, status);
        Assert.True(await host.QueueIsEmptyAsync());
        Assert.Equal(0, _env.Jira.Reads(issue.Key));
        Assert.Empty(_env.Jira.SubtasksOf(issue.Key));
    }

    [Fact]
    public async Task Edits_by_the_bot_and_edits_of_a_subtask_are_ignored()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var parent = _env.Jira.AddIssue("MED", Placeholder);
        var byBot = UpdateWebhook.Build(parent, _env.Jira.Edit(parent.Key, summary: AlarmSummary), SimulatedJira.BotAccountId);
        var subtaskEdit = JsonNode.Parse(UpdateWebhook.Build(parent, [UpdateWebhook.Item("summary", "a", "a hazard")]))!;
        subtaskEdit["issue"]!["fields"]!["issuetype"] = new JsonObject { ["id"] = "10003", ["name"] = "Sub-task", ["subtask"] = true, ["hierarchyLevel"] = -1 };

        Assert.Equal(204, await host.SendAsync(byBot, "wh-bot"));
        Assert.Equal(204, await host.SendAsync(Encoding.UTF8.GetBytes(subtaskEdit.ToJsonString()), "wh-subtask"));

        Assert.True(await host.QueueIsEmptyAsync());
        Assert.Equal(0, _env.Jira.Calls(JiraOperation.GetIssue));
    }

    [Fact]
    public async Task An_issue_moved_into_an_enabled_project_gets_its_subtasks()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        JsonArray moved = [UpdateWebhook.Item("project", "Sandbox", "Infusion pump"), UpdateWebhook.Item("Key", "SANDBOX-7", issue.Key, field: "Key")];
        moved[1]!.AsObject().Remove("fieldId");

        Assert.Equal(202, await host.SendAsync(UpdateWebhook.Build(issue, moved, eventTypeName: "issue_moved"), "wh-moved"));
        var expected = PipelineRules.ExpectedSummaries(AlarmSummary, AlarmDescription);
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == expected.Count, "the sub-tasks exist");
    }

    [Fact]
    public async Task A_subtask_a_person_deleted_is_not_recreated_by_a_later_edit()
    {
        await using var host = await _env.StartHostAsync();
        await host.EnableAsync("MED");
        var issue = _env.Jira.AddIssue("MED", AlarmSummary, AlarmDescription);
        Assert.Equal(202, await host.SendAsync(JiraWebhook.IssueCreated(issue), "wh-created"));
        await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count == 2, "the sub-tasks exist");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");
        var deleted = _env.Jira.SubtasksOf(issue.Key)[0];
        _env.Jira.Delete(deleted.Key);

        Assert.Equal(202, await host.SendAsync(UpdateWebhook.Build(issue, _env.Jira.Edit(issue.Key, description: AlarmDescription + " Reviewed.")), "wh-edit"));
        await Poll.UntilAsync(() => _env.Jira.Reads(issue.Key) == 2, "the edited issue was read");
        await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");

        Assert.Single(_env.Jira.SubtasksOf(issue.Key));
        Assert.DoesNotContain(_env.Jira.SubtasksOf(issue.Key), s => s.Summary == deleted.Summary);
        Assert.Equal(1, _env.Jira.BulkCreateCalls);
        var record = JsonNode.Parse(_env.Jira.Property(issue.Key, FiredRulesLedger.PropertyKey)!)!;
        Assert.Equal(["risk-analysis", "usability"], record["firedRules"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains(_env.Telemetry.Logs, l => l.Contains($"{issue.Key}: not recreating", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_privacy_canary_in_a_changelog_reaches_no_queue_store_log_or_span()
    {
        var canary = "CANARY-" + Guid.NewGuid().ToString("N");
        PipelineHost? host = null;
        try
        {
            host = await _env.StartHostAsync();
            await host.EnableAsync("MED");
            var issue = _env.Jira.AddIssue("MED", $"Draft {canary}");
            var items = _env.Jira.Edit(issue.Key, summary: $"{AlarmSummary} {canary}", description: $"Patient {canary}: a hazard.");
            Assert.Contains(canary, items.ToJsonString(), StringComparison.Ordinal);

            Assert.Equal(202, await host.SendAsync(UpdateWebhook.Build(issue, items), "wh-canary"));
            await Poll.UntilAsync(() => _env.Jira.SubtasksOf(issue.Key).Count > 0, "the sub-tasks exist");
            await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");
            Assert.Equal(202, await host.SendAsync(UpdateWebhook.Build(issue, _env.Jira.Edit(issue.Key, summary: $"{canary} again")), "wh-canary-2"));
            await Poll.UntilAsync(() => _env.Jira.Reads(issue.Key) == 2, "the second edit was read");
            await Poll.UntilAsync(host.QueueIsEmptyAsync, "the queue is empty");
            Assert.DoesNotContain(canary, _env.Jira.Property(issue.Key, FiredRulesLedger.PropertyKey)!, StringComparison.Ordinal);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        Assert.Contains(_env.Telemetry.Spans, s => s.StartsWith("worker.process", StringComparison.Ordinal));
        Assert.Contains(_env.Telemetry.Logs, l => l.Contains("created", StringComparison.Ordinal));
        Assert.DoesNotContain(_env.Telemetry.Logs, l => l.Contains(canary, StringComparison.Ordinal));
        Assert.DoesNotContain(_env.Telemetry.Spans, s => s.Contains(canary, StringComparison.Ordinal));
        _env.AssertNoFileContains(canary);
    }
}
