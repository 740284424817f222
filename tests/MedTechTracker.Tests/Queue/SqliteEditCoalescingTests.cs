using MedTechTracker.Queue;

namespace MedTechTracker.Tests.Queue;

public sealed class SqliteEditCoalescingTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Twenty_edits_of_one_issue_leave_one_message_waiting()
    {
        await using var f = new SqliteQueueFixture();

        var outcomes = new List<EnqueueOutcome>();
        for (var i = 0; i < 20; i++)
        {
            outcomes.Add(await f.Queue.EnqueueAsync(Edit("MED-1", $"edit-{i}"), None));
        }

        Assert.Equal(EnqueueOutcome.Enqueued, outcomes[0]);
        Assert.All(outcomes.Skip(1), o => Assert.Equal(EnqueueOutcome.Coalesced, o));
        Assert.Equal(1, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task Twenty_edits_sent_at_once_are_coalesced_inside_one_group_commit()
    {
        await using var f = new SqliteQueueFixture();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => f.Queue.EnqueueAsync(Edit("MED-1", $"edit-{i}"), None)));

        Assert.Single(outcomes, o => o == EnqueueOutcome.Enqueued);
        Assert.Equal(1, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task An_edit_while_the_issue_is_being_processed_waits_behind_it_and_further_edits_join_that_one()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(Edit("MED-1", "edit-1"), None);
        var inFlight = await f.Queue.ReceiveAsync(NoWait, None);

        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(Edit("MED-1", "edit-2"), None));
        Assert.Equal(EnqueueOutcome.Coalesced, await f.Queue.EnqueueAsync(Edit("MED-1", "edit-3"), None));
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));

        await f.Queue.CompleteAsync(inFlight!, None);
        var next = await f.Queue.ReceiveAsync(NoWait, None);
        Assert.Equal("edit-2", next!.Message.MessageId);
        await f.Queue.CompleteAsync(next, None);
        Assert.Equal(0, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task An_edit_joins_a_waiting_created_message_of_the_same_issue_but_not_of_another()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1") with { MessageId = "created-1" }, None);

        Assert.Equal(EnqueueOutcome.Coalesced, await f.Queue.EnqueueAsync(Edit("MED-1", "edit-1"), None));
        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(Edit("MED-2", "edit-2"), None));
        Assert.Equal(2, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task Messages_that_do_not_coalesce_are_all_kept()
    {
        await using var f = new SqliteQueueFixture();

        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1") with { MessageId = "a" }, None));
        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1") with { MessageId = "b" }, None));

        Assert.Equal(2, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task A_redelivered_edit_is_a_duplicate_even_after_it_was_coalesced()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(Edit("MED-1", "edit-1"), None);
        await f.Queue.EnqueueAsync(Edit("MED-1", "edit-2"), None);

        Assert.Equal(EnqueueOutcome.Duplicate, await f.Queue.EnqueueAsync(Edit("MED-1", "edit-2"), None));
    }

    private static IssueReference Edit(string issueKey, string webhookId) =>
        SqliteQueueFixture.Message(issueKey) with { MessageId = webhookId, Coalesce = true };
}
