using System.Text.Json.Nodes;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.Tests.Worker;

public sealed class BulkCreateBatcherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly FakeJiraClient _jira = new();
    private readonly FakeTimeProvider _time = new();

    public BulkCreateBatcherTests()
    {
        for (var i = 1; i <= 30; i++)
        {
            _jira.WithIssue(IssueProcessorTests.Issue($"MED-{i}", "A parent"));
        }
    }

    private BulkCreateBatcher Batcher(TimeSpan? linger = null) =>
        new(_jira, Options.Create(new WorkerOptions { BulkCreateLinger = linger ?? TimeSpan.FromSeconds(1) }), _time, NullLogger<BulkCreateBatcher>.Instance);

    [Fact]
    public async Task A_lone_message_sends_its_subtasks_at_once_without_waiting_for_the_linger()
    {
        var batcher = Batcher();
        using var only = batcher.Join();

        var result = await batcher.CreateAsync(only, Items("MED-1", "risk", "soup"), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(2, result.Created.Count);
        Assert.Single(_jira.CreateCalls);
    }

    [Fact]
    public async Task Messages_in_flight_share_one_bulk_create_and_each_gets_back_only_its_own_subtasks()
    {
        var batcher = Batcher();
        var first = batcher.Join();
        var second = batcher.Join();
        var third = batcher.Join();

        var one = batcher.CreateAsync(first, Items("MED-1", "risk"), CancellationToken.None);
        var two = batcher.CreateAsync(second, Items("MED-2", "risk", "soup"), CancellationToken.None);
        Assert.Empty(_jira.CreateCalls);

        // The third finishes without sub-tasks (no rule fired): nobody is left to wait for.
        third.Dispose();
        var results = await Task.WhenAll(one, two).WaitAsync(Patience);

        var call = Assert.Single(_jira.CreateCalls);
        Assert.Equal(3, call.Count);
        Assert.Equal(["MED-1"], results[0].Created.Select(c => c.Item.ParentKey));
        Assert.Equal(["MED-2", "MED-2"], results[1].Created.Select(c => c.Item.ParentKey));
    }

    [Fact]
    public async Task A_batch_is_sent_after_the_linger_when_a_message_in_flight_never_hands_anything_in()
    {
        var batcher = Batcher(TimeSpan.FromMilliseconds(500));
        using var slow = batcher.Join();
        using var fast = batcher.Join();

        var created = batcher.CreateAsync(fast, Items("MED-1", "risk"), CancellationToken.None);
        Assert.Empty(_jira.CreateCalls);

        _time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Single((await created.WaitAsync(Patience)).Created);
        Assert.Single(_jira.CreateCalls);
    }

    [Fact]
    public async Task No_call_holds_more_than_fifty_subtasks()
    {
        var batcher = Batcher();
        var participants = Enumerable.Range(1, 30).Select(_ => batcher.Join()).ToList();

        var results = await Task.WhenAll(participants.Select((p, i) => batcher.CreateAsync(p, Items($"MED-{i + 1}", "risk", "soup", "usability"), CancellationToken.None))).WaitAsync(Patience);

        Assert.All(results, r => Assert.Equal(3, r.Created.Count));
        Assert.All(_jira.CreateCalls, call => Assert.True(call.Count <= JiraClient.MaxBulkItems, $"a call of {call.Count}"));
        Assert.Equal(90, _jira.CreateCalls.Sum(c => c.Count));
        Assert.Equal(2, _jira.CreateCalls.Count);
    }

    [Fact]
    public async Task A_failed_call_fails_every_message_in_it_so_each_settles_as_if_it_had_called_alone()
    {
        var batcher = Batcher();
        _jira.BeforeCreate = _ => throw new JiraException("Jira POST bulk create failed with HTTP 500.", 500, permanent: false);
        var first = batcher.Join();
        var second = batcher.Join();

        var one = batcher.CreateAsync(first, Items("MED-1", "risk"), CancellationToken.None);
        var two = batcher.CreateAsync(second, Items("MED-2", "risk"), CancellationToken.None);

        await Assert.ThrowsAsync<JiraException>(() => one.WaitAsync(Patience));
        await Assert.ThrowsAsync<JiraException>(() => two.WaitAsync(Patience));
        Assert.Single(_jira.CreateCalls);
    }

    [Fact]
    public async Task A_message_whose_caller_gave_up_before_the_call_is_left_out_of_it()
    {
        var batcher = Batcher();
        var gaveUp = batcher.Join();
        var stays = batcher.Join();
        using var late = batcher.Join();
        using var cancel = new CancellationTokenSource();

        var abandoned = batcher.CreateAsync(gaveUp, Items("MED-1", "risk"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        var kept = batcher.CreateAsync(stays, Items("MED-2", "risk"), CancellationToken.None);
        late.Dispose();

        Assert.Single((await kept.WaitAsync(Patience)).Created);
        Assert.Equal(["MED-2"], Assert.Single(_jira.CreateCalls).Select(i => i.ParentKey));
    }

    private static List<SubtaskToCreate> Items(string parent, params string[] rules) =>
        [.. rules.Select(rule => new SubtaskToCreate("MED", parent, "10003", new PlannedSubtask(rule, $"[{rule}] check", [$"compliance-{rule}"], new JsonObject())))];
}
