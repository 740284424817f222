using System.Collections.Concurrent;
using System.Diagnostics;
using MedTechTracker.Queue;
using Microsoft.Data.Sqlite;

namespace MedTechTracker.Tests.Queue;

public sealed class SqliteWorkQueueTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Enqueued_message_is_received_with_every_reference_field_and_a_lease()
    {
        await using var f = new SqliteQueueFixture();
        var sent = SqliteQueueFixture.Message("MED-1") with { TraceState = "vendor=1" };

        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(sent, None));
        var leased = await f.Queue.ReceiveAsync(NoWait, None);

        Assert.NotNull(leased);
        Assert.Equal(sent, leased.Message);
        Assert.Equal(1, leased.DeliveryCount);
        Assert.Equal(f.Time.GetUtcNow() + f.Options.LockDuration, leased.LockedUntil);
    }

    [Fact]
    public async Task Leased_message_is_invisible_until_the_lease_expires_then_redelivered()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        var first = await f.Queue.ReceiveAsync(NoWait, None);

        f.Time.Advance(f.Options.LockDuration - TimeSpan.FromSeconds(1));
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));

        f.Time.Advance(TimeSpan.FromSeconds(2));
        var second = await f.Queue.ReceiveAsync(NoWait, None);

        Assert.NotNull(second);
        Assert.Equal(first!.Message, second.Message);
        Assert.Equal(2, second.DeliveryCount);
        Assert.NotEqual(first.LockToken, second.LockToken);
        await Assert.ThrowsAsync<MessageLockLostException>(() => f.Queue.CompleteAsync(first, None));
        await f.Queue.CompleteAsync(second, None);
        Assert.Equal(0, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task Renewing_the_lease_keeps_the_message_invisible_past_the_first_expiry()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        var leased = await f.Queue.ReceiveAsync(NoWait, None);

        f.Time.Advance(TimeSpan.FromMinutes(4));
        var until = await f.Queue.RenewLockAsync(leased!, None);
        f.Time.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(f.Time.GetUtcNow() + TimeSpan.FromMinutes(1), until);
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        f.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.NotNull(await f.Queue.ReceiveAsync(NoWait, None));
        await Assert.ThrowsAsync<MessageLockLostException>(() => f.Queue.RenewLockAsync(leased!, None));
    }

    [Fact]
    public async Task Completed_message_is_gone_and_cannot_be_settled_again()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        var leased = await f.Queue.ReceiveAsync(NoWait, None);

        await f.Queue.CompleteAsync(leased!, None);
        f.Time.Advance(TimeSpan.FromHours(1));

        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        await Assert.ThrowsAsync<MessageLockLostException>(() => f.Queue.CompleteAsync(leased!, None));
        await Assert.ThrowsAsync<MessageLockLostException>(() => f.Queue.AbandonAsync(leased!, "late", None));
    }

    [Fact]
    public async Task Abandoned_message_stays_hidden_for_its_back_off_then_comes_back_with_a_higher_delivery_count()
    {
        await using var f = new SqliteQueueFixture(o => o.BackoffBase = TimeSpan.FromSeconds(10));
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        var first = await f.Queue.ReceiveAsync(NoWait, None);

        await f.Queue.AbandonAsync(first!, "Jira answered 503", None);

        // Equal jitter: the first back-off lies between 5 s and 10 s.
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        f.Time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        f.Time.Advance(TimeSpan.FromSeconds(5.2));
        var second = await f.Queue.ReceiveAsync(NoWait, None);
        Assert.NotNull(second);
        Assert.Equal(2, second.DeliveryCount);
    }

    [Fact]
    public async Task Back_off_doubles_with_each_delivery_within_jitter_and_stops_at_the_cap()
    {
        await using var f = new SqliteQueueFixture(o =>
        {
            o.BackoffBase = TimeSpan.FromSeconds(2);
            o.BackoffCap = TimeSpan.FromSeconds(30);
        });

        double[] ceilings = [2, 4, 8, 16, 30, 30, 30];
        for (var delivery = 1; delivery <= ceilings.Length; delivery++)
        {
            var samples = Enumerable.Range(0, 200).Select(_ => f.Queue.Backoff(delivery).TotalSeconds).ToList();
            var ceiling = ceilings[delivery - 1];
            Assert.All(samples, s => Assert.InRange(s, ceiling / 2, ceiling));
            Assert.True(samples.Distinct().Count() > 1, "the back-off is jittered");
        }
    }

    [Fact]
    public async Task Message_is_dead_lettered_with_the_last_reason_once_abandoned_at_the_maximum_delivery_count()
    {
        await using var f = new SqliteQueueFixture(o => o.MaxDeliveryCount = 3);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-7"), None);

        for (var delivery = 1; delivery <= 3; delivery++)
        {
            var leased = await f.Queue.ReceiveAsync(NoWait, None);
            Assert.NotNull(leased);
            Assert.Equal(delivery, leased.DeliveryCount);
            await f.Queue.AbandonAsync(leased, $"Jira answered 503 (attempt {delivery})", None);
            f.Time.Advance(f.Options.BackoffCap);
        }

        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        var statistics = await f.Queue.GetStatisticsAsync(None);
        Assert.Equal(0, statistics.ActiveCount);
        Assert.Equal(1, statistics.DeadLetterCount);
        var deadLetter = Assert.Single(await f.Queue.ListAsync(10, None));
        Assert.Equal("MED-7", deadLetter.Message.IssueKey);
        Assert.Equal(3, deadLetter.DeliveryCount);
        Assert.Contains("Maximum delivery count (3)", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Contains("attempt 3", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_whose_leases_keep_expiring_is_dead_lettered_after_the_maximum_delivery_count()
    {
        await using var f = new SqliteQueueFixture(o => o.MaxDeliveryCount = 2);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-8"), None);

        Assert.NotNull(await f.Queue.ReceiveAsync(NoWait, None));
        f.Time.Advance(f.Options.LockDuration + TimeSpan.FromSeconds(1));
        Assert.NotNull(await f.Queue.ReceiveAsync(NoWait, None));
        f.Time.Advance(f.Options.LockDuration + TimeSpan.FromSeconds(1));

        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        var deadLetter = Assert.Single(await f.Queue.ListAsync(10, None));
        Assert.Equal(2, deadLetter.DeliveryCount);
        Assert.Contains("lease expired", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_lettered_message_keeps_its_reason_and_leaves_the_work_queue()
    {
        await using var f = new SqliteQueueFixture();
        var sent = SqliteQueueFixture.Message("MED-9");
        await f.Queue.EnqueueAsync(sent, None);
        var leased = await f.Queue.ReceiveAsync(NoWait, None);

        await f.Queue.DeadLetterAsync(leased!, "MED-9: Jira 400: customfield_10010 is required", None);

        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
        var deadLetter = Assert.Single(await f.Queue.ListAsync(10, None));
        Assert.Equal(sent, deadLetter.Message);
        Assert.Equal("MED-9: Jira 400: customfield_10010 is required", deadLetter.Reason);
        Assert.Equal(1, deadLetter.DeliveryCount);
        Assert.Equal(f.Time.GetUtcNow(), deadLetter.DeadLetteredAt);
        Assert.Equal(deadLetter, await f.Queue.GetAsync(deadLetter.Id, None));
    }

    [Fact]
    public async Task Same_message_id_inside_the_window_is_a_duplicate_and_adds_nothing()
    {
        await using var f = new SqliteQueueFixture(o => o.DuplicateDetectionWindow = TimeSpan.FromHours(24));
        var sent = SqliteQueueFixture.Message("MED-1", "webhook-1");

        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(sent, None));
        f.Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(EnqueueOutcome.Duplicate, await f.Queue.EnqueueAsync(sent, None));

        // Still a duplicate after the first copy was processed: the id is remembered, not the message.
        var leased = await f.Queue.ReceiveAsync(NoWait, None);
        await f.Queue.CompleteAsync(leased!, None);
        Assert.Equal(EnqueueOutcome.Duplicate, await f.Queue.EnqueueAsync(sent with { IssueKey = "MED-2" }, None));
        Assert.Equal(0, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task Same_message_id_after_the_window_is_enqueued_again()
    {
        await using var f = new SqliteQueueFixture(o => o.DuplicateDetectionWindow = TimeSpan.FromHours(24));
        var sent = SqliteQueueFixture.Message("MED-1", "webhook-1");
        await f.Queue.EnqueueAsync(sent, None);

        f.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));

        Assert.Equal(EnqueueOutcome.Enqueued, await f.Queue.EnqueueAsync(sent, None));
        Assert.Equal(2, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task Duplicates_inside_one_group_commit_are_detected()
    {
        await using var f = new SqliteQueueFixture();
        var sent = SqliteQueueFixture.Message("MED-1", "webhook-1");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => f.Queue.EnqueueAsync(sent, None)));

        Assert.Equal(1, outcomes.Count(o => o == EnqueueOutcome.Enqueued));
        Assert.Equal(1, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task A_message_of_an_issue_with_a_live_lease_is_skipped_until_that_lease_ends()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1", "a1"), None);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1", "a2"), None);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-2", "b1"), None);

        var a1 = await f.Queue.ReceiveAsync(NoWait, None);
        var b1 = await f.Queue.ReceiveAsync(NoWait, None);

        Assert.Equal("a1", a1!.Message.MessageId);
        Assert.Equal("b1", b1!.Message.MessageId);
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));

        await f.Queue.CompleteAsync(a1, None);
        var a2 = await f.Queue.ReceiveAsync(NoWait, None);
        Assert.Equal("a2", a2!.Message.MessageId);
    }

    [Fact]
    public async Task Renewing_an_expired_lease_fails_once_another_message_of_the_issue_was_leased()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1", "a1"), None);
        var a1 = await f.Queue.ReceiveAsync(NoWait, None);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1", "a2"), None);

        f.Time.Advance(f.Options.LockDuration + TimeSpan.FromSeconds(1));
        var next = await f.Queue.ReceiveAsync(NoWait, None);

        Assert.NotNull(next);
        await Assert.ThrowsAsync<MessageLockLostException>(() => f.Queue.RenewLockAsync(a1!, None));
    }

    [Fact]
    public async Task Concurrent_receivers_never_hold_two_messages_of_one_issue_and_process_every_message_once()
    {
        await using var f = new SqliteQueueFixture(o => o.PollInterval = TimeSpan.FromMilliseconds(5));

        // The receivers wait on the clock between polls: a real one, so their idle rounds end.
        var queues = new[] { f.Open(TimeProvider.System), f.Open(TimeProvider.System), f.Open(TimeProvider.System) };
        const int messages = 120;
        await Task.WhenAll(Enumerable.Range(0, messages).Select(i => queues[0].EnqueueAsync(SqliteQueueFixture.Message($"MED-{i % 6}", $"m{i}"), None)));

        var held = new ConcurrentDictionary<string, string>();
        var processed = new ConcurrentDictionary<string, int>();
        var violations = 0;

        async Task Receive(IWorkQueue queue)
        {
            var idleRounds = 0;
            while (idleRounds < 3)
            {
                var leased = await queue.ReceiveAsync(TimeSpan.FromMilliseconds(200), None);
                if (leased is null)
                {
                    idleRounds++;
                    continue;
                }

                idleRounds = 0;
                if (!held.TryAdd(leased.Message.IssueKey, leased.Message.MessageId))
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                processed.AddOrUpdate(leased.Message.MessageId, 1, (_, n) => n + 1);
                held.TryRemove(leased.Message.IssueKey, out _);
                await queue.CompleteAsync(leased, None);
            }
        }

        await Task.WhenAll(queues.SelectMany(q => new[] { Task.Run(() => Receive(q)), Task.Run(() => Receive(q)) }));

        Assert.Equal(0, violations);
        Assert.Equal(messages, processed.Count);
        Assert.All(processed.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Many_concurrent_enqueues_are_all_durable_and_share_few_commits()
    {
        const int messages = 500;
        string file;
        long commits;
        await using (var f = new SqliteQueueFixture())
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(0, messages).Select(i => Task.Run(() => f.Queue.EnqueueAsync(SqliteQueueFixture.Message($"MED-{i}", $"m{i}"), None))));
            Assert.All(outcomes, o => Assert.Equal(EnqueueOutcome.Enqueued, o));
            commits = f.Queue.CommitCount;
            file = f.Queue.FilePath;

            // Read back through a connection of its own, as a process started after a crash would.
            using var connection = new SqliteConnection($"Data Source={file}");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(DISTINCT message_id) FROM messages;";
            Assert.Equal(messages, Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));

            var reopened = f.Open();
            Assert.Equal(messages, (await reopened.GetStatisticsAsync(None)).ActiveCount);
        }

        Assert.True(commits < messages / 2, $"{messages} enqueues took {commits} commits");
    }

    [Fact]
    public async Task Disposing_commits_the_enqueues_already_accepted_and_refuses_new_ones()
    {
        await using var f = new SqliteQueueFixture();
        var queue = f.Open();
        var pending = Enumerable.Range(0, 100).Select(i => queue.EnqueueAsync(SqliteQueueFixture.Message($"MED-{i}"), None)).ToList();

        await queue.DisposeAsync();

        Assert.All(await Task.WhenAll(pending), o => Assert.Equal(EnqueueOutcome.Enqueued, o));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queue.EnqueueAsync(SqliteQueueFixture.Message("MED-X"), None));
        Assert.Equal(100, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task Statistics_count_active_and_dead_messages_and_the_oldest_enqueue_time()
    {
        await using var f = new SqliteQueueFixture();
        Assert.Equal(new QueueStatistics(0, 0, null), await f.Queue.GetStatisticsAsync(None));

        var firstEnqueued = f.Time.GetUtcNow();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        f.Time.Advance(TimeSpan.FromMinutes(3));
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-2"), None);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-3"), None);
        var leased = await f.Queue.ReceiveAsync(NoWait, None);
        await f.Queue.DeadLetterAsync(leased!, "bad", None);

        Assert.Equal(new QueueStatistics(2, 1, firstEnqueued + TimeSpan.FromMinutes(3)), await f.Queue.GetStatisticsAsync(None));
    }

    [Fact]
    public async Task Replayed_dead_letter_returns_to_the_queue_with_a_fresh_delivery_count()
    {
        await using var f = new SqliteQueueFixture();
        var sent = SqliteQueueFixture.Message("MED-1", "webhook-1");
        await f.Queue.EnqueueAsync(sent, None);
        await f.Queue.DeadLetterAsync((await f.Queue.ReceiveAsync(NoWait, None))!, "bad", None);
        var id = Assert.Single(await f.Queue.ListAsync(10, None)).Id;

        Assert.True(await f.Queue.ReplayAsync(id, None));
        Assert.False(await f.Queue.ReplayAsync(id, None));
        Assert.False(await f.Queue.ReplayAsync("not-an-id", None));

        var leased = await f.Queue.ReceiveAsync(NoWait, None);
        Assert.Equal(sent, leased!.Message);
        Assert.Equal(1, leased.DeliveryCount);
        Assert.Empty(await f.Queue.ListAsync(10, None));
    }

    [Fact]
    public async Task Replay_all_and_purge_act_on_every_dead_letter()
    {
        await using var f = new SqliteQueueFixture();
        for (var i = 0; i < 3; i++)
        {
            await f.Queue.EnqueueAsync(SqliteQueueFixture.Message($"MED-{i}"), None);
            await f.Queue.DeadLetterAsync((await f.Queue.ReceiveAsync(NoWait, None))!, "bad", None);
        }

        Assert.Equal(3, await f.Queue.ReplayAllAsync(None));
        Assert.Equal(new QueueStatistics(3, 0, f.Time.GetUtcNow()), await f.Queue.GetStatisticsAsync(None));

        for (var i = 0; i < 3; i++)
        {
            await f.Queue.DeadLetterAsync((await f.Queue.ReceiveAsync(NoWait, None))!, "bad again", None);
        }

        Assert.Equal(2, (await f.Queue.ListAsync(2, None)).Count);
        Assert.Equal(3, await f.Queue.PurgeAsync(None));
        Assert.Equal(new QueueStatistics(0, 0, null), await f.Queue.GetStatisticsAsync(None));
    }

    [Fact]
    public async Task Receive_waits_for_a_message_enqueued_meanwhile()
    {
        await using var f = new SqliteQueueFixture(o => o.PollInterval = TimeSpan.FromSeconds(30));
        var receive = f.Queue.ReceiveAsync(TimeSpan.FromMinutes(2), None);
        Assert.False(receive.IsCompleted);

        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);

        // The poll interval is 30 s: only the in-process wake-up can finish this within the test's patience.
        var leased = await receive.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("MED-1", leased!.Message.IssueKey);
    }

    [Fact]
    public async Task Receive_honours_cancellation()
    {
        await using var f = new SqliteQueueFixture();
        using var cancellation = new CancellationTokenSource();
        var receive = f.Queue.ReceiveAsync(TimeSpan.FromMinutes(5), cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Settling_while_another_process_holds_the_write_lock_ends_when_the_callers_token_does_then_succeeds_once_the_lock_is_gone()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        var leased = await f.Queue.ReceiveAsync(NoWait, None);

        await using (var other = new SqliteConnection($"Data Source={f.Queue.FilePath};Pooling=False"))
        {
            await other.OpenAsync();
            await using var command = other.CreateCommand();
            command.CommandText = "BEGIN IMMEDIATE;";
            await command.ExecuteNonQueryAsync();

            using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var settling = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Queue.CompleteAsync(leased!, budget.Token));
            Assert.True(settling.Elapsed < TimeSpan.FromSeconds(10), $"settling took {settling.Elapsed}: the busy wait ignored the token");

            command.CommandText = "ROLLBACK;";
            await command.ExecuteNonQueryAsync();
        }

        await f.Queue.CompleteAsync(leased!, None);
        Assert.Equal(0, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task A_batch_receive_leases_several_messages_of_distinct_issues_in_one_transaction()
    {
        await using var f = new SqliteQueueFixture();
        Assert.Empty(await f.Queue.ReceiveBatchAsync(10, NoWait, None)); // the look for ended holders is done; the clock stands still
        foreach (var key in (string[])["MED-1", "MED-2", "MED-2", "MED-3"])
        {
            await f.Queue.EnqueueAsync(SqliteQueueFixture.Message(key), None);
        }

        var before = f.Queue.CommitCount;
        var leased = await f.Queue.ReceiveBatchAsync(10, NoWait, None);

        Assert.Equal(["MED-1", "MED-2", "MED-3"], leased.Select(l => l.Message.IssueKey));
        Assert.Equal(leased.Count, leased.Select(l => l.LockToken).Distinct().Count());
        Assert.Equal(before + 1, f.Queue.CommitCount);

        // The second message of MED-2 waits for the first to be settled.
        Assert.Empty(await f.Queue.ReceiveBatchAsync(10, NoWait, None));
        await f.Queue.CompleteAsync(leased[1], None);
        Assert.Equal("MED-2", Assert.Single(await f.Queue.ReceiveBatchAsync(10, NoWait, None)).Message.IssueKey);
    }

    [Fact]
    public async Task A_batch_receive_takes_no_more_than_it_was_asked_for()
    {
        await using var f = new SqliteQueueFixture();
        for (var i = 0; i < 5; i++)
        {
            await f.Queue.EnqueueAsync(SqliteQueueFixture.Message($"MED-{i}"), None);
        }

        Assert.Equal(2, (await f.Queue.ReceiveBatchAsync(2, NoWait, None)).Count);
        Assert.Equal(3, (await f.Queue.ReceiveBatchAsync(10, NoWait, None)).Count);
    }

    [Fact]
    public async Task Completions_waiting_together_are_committed_together()
    {
        await using var f = new SqliteQueueFixture();
        for (var i = 0; i < 20; i++)
        {
            await f.Queue.EnqueueAsync(SqliteQueueFixture.Message($"MED-{i}"), None);
        }

        var leased = await f.Queue.ReceiveBatchAsync(20, NoWait, None);
        Task[] completions;
        long before;
        await using (var other = new SqliteConnection($"Data Source={f.Queue.FilePath};Pooling=False"))
        {
            // Another process holds the write lock while the twenty completions arrive.
            await other.OpenAsync();
            await using var command = other.CreateCommand();
            command.CommandText = "BEGIN IMMEDIATE;";
            await command.ExecuteNonQueryAsync();
            before = f.Queue.CommitCount;
            completions = [.. leased.Select(l => f.Queue.CompleteAsync(l, None))];
            await Task.Delay(300);
            command.CommandText = "ROLLBACK;";
            await command.ExecuteNonQueryAsync();
        }

        await Task.WhenAll(completions);
        Assert.Equal(0, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
        Assert.True(f.Queue.CommitCount - before <= 2, $"20 completions took {f.Queue.CommitCount - before} commits");
    }

    [Fact]
    public async Task A_settlement_whose_lease_is_gone_fails_alone_and_the_settlement_sent_beside_it_succeeds()
    {
        await using var f = new SqliteQueueFixture();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-2"), None);
        var leased = await f.Queue.ReceiveBatchAsync(2, NoWait, None);
        await f.Queue.CompleteAsync(leased[0], None);

        var again = f.Queue.CompleteAsync(leased[0], None);
        var other = f.Queue.CompleteAsync(leased[1], None);

        await Assert.ThrowsAsync<MessageLockLostException>(() => again);
        await other;
        Assert.Equal(0, (await f.Queue.GetStatisticsAsync(None)).ActiveCount);
    }

    [Fact]
    public async Task A_queue_that_was_not_started_says_so_instead_of_touching_the_file()
    {
        using var directory = new MedTechTracker.Tests.Storage.TempDataDirectory();
        await using var queue = new MedTechTracker.Queue.Sqlite.SqliteWorkQueue(
            Microsoft.Extensions.Options.Options.Create(new QueueOptions()), directory.Options, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MedTechTracker.Queue.Sqlite.SqliteWorkQueue>.Instance);

        Assert.False(File.Exists(queue.FilePath));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None));
        Assert.Contains("Start", error.Message, StringComparison.Ordinal);

        queue.Start();
        Assert.True(File.Exists(queue.FilePath));
        Assert.Equal(EnqueueOutcome.Enqueued, await queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None));
    }
}
