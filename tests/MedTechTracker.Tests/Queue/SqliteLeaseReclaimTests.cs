using MedTechTracker.Queue.Sqlite;

namespace MedTechTracker.Tests.Queue;

/// <summary>Leases name their holder; a holder that has ended gives its leases back at once, a running one never.</summary>
public sealed class SqliteLeaseReclaimTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_lease_whose_holder_has_ended_is_delivered_again_at_the_next_receive_long_before_it_expires()
    {
        await using var f = new SqliteQueueFixture();
        var holder = f.Open();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1", "m1"), None);
        var first = await holder.ReceiveAsync(NoWait, None);
        Assert.NotNull(first);

        await holder.DisposeAsync();
        var again = await f.Queue.ReceiveAsync(NoWait, None);

        Assert.NotNull(again);
        Assert.Equal("m1", again.Message.MessageId);
        Assert.Equal(2, again.DeliveryCount);
        Assert.True(f.Time.GetUtcNow() < first.LockedUntil, "the clock did not move: the lease had not expired");
    }

    [Fact]
    public async Task A_lease_of_a_running_holder_is_left_alone_until_it_expires()
    {
        await using var f = new SqliteQueueFixture();
        var holder = f.Open();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        Assert.NotNull(await holder.ReceiveAsync(NoWait, None));

        f.Time.Advance(f.Options.ReclaimInterval * 3);

        Assert.Equal(0, await f.Queue.ReclaimFromStoppedHoldersAsync(None));
        Assert.Null(await f.Queue.ReceiveAsync(NoWait, None));
    }

    [Fact]
    public async Task Every_lock_token_names_the_holder_that_handed_it_out()
    {
        await using var f = new SqliteQueueFixture();
        var other = f.Open();
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-1"), None);
        await f.Queue.EnqueueAsync(SqliteQueueFixture.Message("MED-2"), None);

        var mine = await f.Queue.ReceiveAsync(NoWait, None);
        var theirs = await other.ReceiveAsync(NoWait, None);

        var holders = new[] { mine!, theirs! }.Select(m => SqliteLeaseHolder.HolderOf(m.LockToken)).ToList();
        Assert.All(holders, Assert.NotNull);
        Assert.NotEqual(holders[0], holders[1]);
    }

    [Fact]
    public void A_token_of_an_older_version_names_no_holder_and_is_left_to_expire()
    {
        Assert.Null(SqliteLeaseHolder.HolderOf(Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task This_file_system_enforces_the_holder_lock_so_the_tests_above_prove_something()
    {
        await using var f = new SqliteQueueFixture();
        var holders = Directory.GetFiles(Path.Combine(f.DataDirectory), "*.lock", SearchOption.AllDirectories);

        var held = Assert.Single(holders);
        Assert.Throws<IOException>(() => new FileStream(held, FileMode.Open, FileAccess.Read, FileShare.None).Dispose());
    }
}
