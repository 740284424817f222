using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;
using MedTechTracker.Storage.AzureTables;

namespace MedTechTracker.IntegrationTests.AzureTables;

public sealed class AzureTablesStoreTests
{
    [Fact]
    public async Task Project_settings_round_trip_and_unknown_projects_are_absent()
    {
        var store = new AzureTablesSettingsStore(AzuriteTables.NewClient());
        var updatedAt = new DateTimeOffset(2026, 11, 22, 10, 30, 0, TimeSpan.Zero);

        Assert.True(await store.PingAsync(CancellationToken.None));
        Assert.Null(await store.GetAsync("MED", CancellationToken.None));

        await store.SaveAsync(new ProjectSettings("MED", ProjectMode.Shadow, SafetyClass.B, updatedAt, "admin@example.com"), CancellationToken.None);
        await store.SaveAsync(new ProjectSettings("ABC", ProjectMode.On, SafetyClass.A, updatedAt, OnUpdate: false), CancellationToken.None);
        await store.SaveAsync(new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, updatedAt.AddHours(1), "ops"), CancellationToken.None);

        var med = await store.GetAsync("MED", CancellationToken.None);
        Assert.Equal(new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, updatedAt.AddHours(1), "ops"), med);
        var all = await store.ListAsync(CancellationToken.None);
        Assert.Equal(["ABC", "MED"], all.Select(s => s.ProjectKey));
        Assert.Null(all[0].UpdatedBy);
        Assert.Equal((false, true), (all[0].OnUpdate, all[1].OnUpdate));
    }

    [Fact]
    public async Task Backfill_job_round_trips_and_a_stale_etag_is_refused()
    {
        var store = new AzureTablesBackfillStore(AzuriteTables.NewClient());
        var created = await store.CreateAsync(NewJob("job-1") with { UserJql = "project = MED AND created >= -30d", DryRun = true }, CancellationToken.None);
        Assert.NotNull(created.ETag);

        var read = await store.GetAsync("job-1", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(created with { ETag = read.ETag }, read);

        var running = await store.TryReplaceAsync(read with { Status = BackfillStatus.Running, NextPageToken = "page-2", Counters = new BackfillCounters(50, 7, 9, 1, 0) }, CancellationToken.None);
        Assert.NotNull(running);
        Assert.NotEqual(read.ETag, running.ETag);

        Assert.Null(await store.TryReplaceAsync(read with { Status = BackfillStatus.Failed }, CancellationToken.None));
        var stored = await store.GetAsync("job-1", CancellationToken.None);
        Assert.Equal(BackfillStatus.Running, stored!.Status);
        Assert.Equal(new BackfillCounters(50, 7, 9, 1, 0), stored.Counters);
        Assert.Equal("page-2", stored.NextPageToken);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateAsync(NewJob("job-1"), CancellationToken.None));
        Assert.Single(await store.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Two_writers_on_one_jobs_counters_lose_no_update()
    {
        var tables = AzuriteTables.NewClient();
        var writerA = new AzureTablesBackfillStore(tables);
        var writerB = new AzureTablesBackfillStore(tables);
        await writerA.CreateAsync(NewJob("job-2"), CancellationToken.None);
        const int updatesPerWriter = 40;
        var conflicts = 0;

        // Both writers read the job before either writes the first time, so at least one conflict is certain.
        var bothRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readers = 0;

        async Task WriteAsync(IBackfillStore store, BackfillCounters page)
        {
            var counting = new ConflictCountingStore(store, () => Interlocked.Increment(ref conflicts), async () =>
            {
                if (Interlocked.Increment(ref readers) == 2)
                {
                    bothRead.SetResult();
                }

                await bothRead.Task.WaitAsync(TimeSpan.FromSeconds(60));
            });
            for (var i = 0; i < updatesPerWriter; i++)
            {
                await counting.UpdateAsync("job-2", job => job with { Counters = job.Counters.Add(page) }, CancellationToken.None);
            }
        }

        await Task.WhenAll(
            Task.Run(() => WriteAsync(writerA, new BackfillCounters(Scanned: 100, Matched: 3, Created: 5))),
            Task.Run(() => WriteAsync(writerB, new BackfillCounters(Scanned: 50, Matched: 1, AlreadyPresent: 2, Failed: 1))));

        var job = await writerA.GetAsync("job-2", CancellationToken.None);
        Assert.Equal(new BackfillCounters(150 * updatesPerWriter, 4 * updatesPerWriter, 5 * updatesPerWriter, 2 * updatesPerWriter, updatesPerWriter), job!.Counters);
        Assert.True(conflicts > 0, "the two writers never collided, so optimistic concurrency was not exercised");
        Assert.True(job.ETag is { Length: > 0 });
    }

    private static BackfillJob NewJob(string id) => new()
    {
        Id = id,
        ProjectKey = "MED",
        CreatedAt = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero),
        RequestedBy = "ops",
    };

    /// <summary>Counts the writes refused for a stale ETag, so the test can show conflicts happened and were retried.</summary>
    private sealed class ConflictCountingStore(IBackfillStore inner, Action onConflict, Func<Task> afterFirstRead) : IBackfillStore
    {
        private bool _readOnce;

        public Task<BackfillJob> CreateAsync(BackfillJob job, CancellationToken cancellationToken) => inner.CreateAsync(job, cancellationToken);

        public async Task<BackfillJob?> GetAsync(string id, CancellationToken cancellationToken)
        {
            var job = await inner.GetAsync(id, cancellationToken);
            if (!_readOnce)
            {
                _readOnce = true;
                await afterFirstRead();
            }

            return job;
        }

        public Task<IReadOnlyList<BackfillJob>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public async Task<BackfillJob?> TryReplaceAsync(BackfillJob job, CancellationToken cancellationToken)
        {
            var saved = await inner.TryReplaceAsync(job, cancellationToken);
            if (saved is null)
            {
                onConflict();
            }

            return saved;
        }
    }
}
