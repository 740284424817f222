using MedTechTracker.Storage;
using MedTechTracker.Storage.Sqlite;

namespace MedTechTracker.Tests.Storage;

public sealed class SqliteBackfillStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 30, 0, 123, TimeSpan.Zero);
    private readonly TempDataDirectory _directory = new();

    [Fact]
    public async Task Every_job_field_round_trips()
    {
        using var store = NewStore();
        var job = new BackfillJob
        {
            Id = "job-1",
            ProjectKey = "MED",
            UserJql = "labels = legacy",
            CreatedAfter = Start.AddYears(-1),
            DryRun = true,
            Status = BackfillStatus.Running,
            CancelRequested = true,
            NextPageToken = "token-abc",
            CheckpointCreated = Start.AddDays(-30).ToOffset(TimeSpan.FromHours(2)),
            Counters = new BackfillCounters(1200, 300, 250, 40, 10),
            EstimatedTotal = 5000,
            CreatedAt = Start,
            UpdatedAt = Start.AddMinutes(5),
            StartedAt = Start.AddSeconds(1),
            FinishedAt = Start.AddMinutes(6),
            Error = "Jira answered 403 on search",
            RequestedBy = "ops-key",
        };

        var created = await store.CreateAsync(job, CancellationToken.None);
        var read = await store.GetAsync("job-1", CancellationToken.None);

        Assert.NotNull(created.ETag);
        Assert.Equal(created, read);
        Assert.Equal(job with { ETag = read!.ETag }, read);
    }

    [Fact]
    public async Task Unknown_job_is_null_and_list_is_newest_first()
    {
        using var store = NewStore();
        await store.CreateAsync(Job("a"), CancellationToken.None);
        await store.CreateAsync(Job("b"), CancellationToken.None);

        Assert.Null(await store.GetAsync("nope", CancellationToken.None));
        Assert.Equal(["b", "a"], (await store.ListAsync(CancellationToken.None)).Select(j => j.Id));
    }

    [Fact]
    public async Task Creating_a_job_id_twice_fails()
    {
        using var store = NewStore();
        await store.CreateAsync(Job("a"), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateAsync(Job("a"), CancellationToken.None));
    }

    [Fact]
    public async Task Replace_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        using var store = NewStore();
        var created = await store.CreateAsync(Job("a"), CancellationToken.None);

        var first = await store.TryReplaceAsync(created with { Status = BackfillStatus.Running }, CancellationToken.None);
        var stale = await store.TryReplaceAsync(created with { Status = BackfillStatus.Cancelled }, CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotEqual(created.ETag, first.ETag);
        Assert.Null(stale);
        Assert.Equal(first, await store.GetAsync("a", CancellationToken.None));
        Assert.Null(await store.TryReplaceAsync(Job("missing") with { ETag = "1" }, CancellationToken.None));
    }

    [Fact]
    public async Task Two_writers_updating_concurrently_lose_no_update()
    {
        using var writerA = NewStore();
        using var writerB = NewStore();
        await writerA.CreateAsync(Job("a"), CancellationToken.None);

        async Task Bump(IBackfillStore store, Func<BackfillCounters, BackfillCounters> change)
        {
            for (var i = 0; i < 40; i++)
            {
                await store.UpdateAsync("a", job => job with { Counters = change(job.Counters) }, CancellationToken.None);
            }
        }

        await Task.WhenAll(
            Task.Run(() => Bump(writerA, c => c with { Scanned = c.Scanned + 1 })),
            Task.Run(() => Bump(writerB, c => c with { Created = c.Created + 1 })));

        var final = await writerA.GetAsync("a", CancellationToken.None);
        Assert.Equal(new BackfillCounters(Scanned: 40, Created: 40), final!.Counters);
        Assert.Equal("81", final.ETag);
    }

    public void Dispose() => _directory.Dispose();

    private static BackfillJob Job(string id) => new() { Id = id, ProjectKey = "MED", CreatedAt = Start, UpdatedAt = Start };

    private SqliteBackfillStore NewStore() => new(Microsoft.Extensions.Options.Options.Create(new StoreOptions()), _directory.Options);
}
