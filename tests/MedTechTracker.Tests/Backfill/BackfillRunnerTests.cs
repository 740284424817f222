using MedTechTracker.Backfill;
using MedTechTracker.Jira;
using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Backfill;

public sealed class BackfillRunnerTests
{
    [Fact]
    public async Task A_backfill_creates_exactly_the_missing_subtasks_and_counts_exactly()
    {
        using var scenario = new BackfillScenario(300);
        var job = await scenario.StartAsync();

        var finished = await scenario.RunToEndAsync(job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(scenario.Expected, finished.Counters);
        Assert.Equal(scenario.ExpectedMissing.Order(), scenario.Jira.CreatedItems.Order());
        Assert.True(scenario.Expected.AlreadyPresent > 0 && scenario.Expected.Created > 0);
        Assert.All(scenario.Jira.BulkCallSizes, size => Assert.InRange(size, 1, 50));
        Assert.Equal(300, finished.EstimatedTotal);
        Assert.Null(finished.NextPageToken);
        Assert.Equal(scenario.Jira.Issues[^1].Created, finished.CheckpointCreated);
    }

    [Fact]
    public async Task Bulk_creates_are_batched_across_issues()
    {
        using var scenario = new BackfillScenario(300);
        scenario.Options.PageSize = 300;
        var job = await scenario.StartAsync();

        await scenario.RunToEndAsync(job.Id);

        Assert.Equal((int)Math.Ceiling(scenario.Expected.Created / 50.0), scenario.Jira.BulkCallSizes.Count);
    }

    [Fact]
    public async Task A_checkpoint_is_written_after_every_page_and_never_counts_what_Jira_does_not_hold_yet()
    {
        using var scenario = new BackfillScenario(300);
        scenario.Store.Probe = () => scenario.Jira.CreatedItems.Count;
        var job = await scenario.StartAsync();

        await scenario.RunToEndAsync(job.Id);

        var writes = scenario.Store.Writes.Select((w, i) => (Job: w, JiraHolds: scenario.Store.ProbeAtWrite[i])).Where(w => w.Job.Id == job.Id && w.Job.Status != BackfillStatus.Queued).ToList();
        Assert.True(writes.Count >= 12, $"{writes.Count} writes for 12 pages");
        Assert.All(writes, w => Assert.True(w.Job.Counters.Created <= w.JiraHolds, "a checkpoint counted sub-tasks Jira does not hold"));
        var cursors = writes.Select(w => w.Job.NextPageToken).Where(t => t is not null).Distinct().Count();
        Assert.True(cursors >= 4, $"the committed cursor advanced only {cursors} times over 12 pages");
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_to_Jira_and_counts_what_it_would_create()
    {
        using var scenario = new BackfillScenario(120, mode: ProjectMode.Shadow);
        var job = await scenario.StartAsync(dryRun: true);

        var finished = await scenario.RunToEndAsync(job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Empty(scenario.Jira.BulkCallSizes);
        Assert.Equal(scenario.Expected, finished.Counters);
    }

    [Fact]
    public async Task An_expired_page_token_restarts_from_the_checkpoint_without_duplicates_or_double_counting()
    {
        using var scenario = new BackfillScenario(300);
        var job = await scenario.StartAsync();

        // The token of the fifth page expires: the walk restarts from the last checkpointed created instant.
        var fifthPageToken = "100@";
        scenario.Jira.ExpiredTokens.Add(fifthPageToken + BackfillJql.Build("MED", null, null).GetHashCode(StringComparison.Ordinal));
        var finished = await scenario.RunToEndAsync(job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(scenario.Expected, finished.Counters);
        Assert.Equal(scenario.ExpectedMissing.Order(), scenario.Jira.CreatedItems.Order());
        Assert.Contains(scenario.Jira.SearchedJql, q => q.Contains("AND created >= \"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_runner_that_dies_mid_page_is_resumed_without_duplicates_and_with_the_same_totals()
    {
        using var scenario = new BackfillScenario(300);
        var job = await scenario.StartAsync();
        scenario.Jira.FailBulkCall = (4, new HttpRequestException("connection reset"));

        var failed = await scenario.RunToEndAsync(job.Id);
        Assert.Equal(BackfillStatus.Failed, failed.Status);
        Assert.NotNull(failed.NextPageToken);

        scenario.Jira.FailBulkCall = null;
        var resumed = await scenario.Jobs().ResumeAsync(job.Id, "test", CancellationToken.None);
        Assert.True(resumed.Succeeded, resumed.Error);
        var finished = await scenario.RunToEndAsync(job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(scenario.ExpectedMissing.Order(), scenario.Jira.CreatedItems.Order());
        Assert.Equal(scenario.Expected.Scanned, finished.Counters.Scanned);
        Assert.Equal(scenario.Expected.Matched, finished.Counters.Matched);
        Assert.Equal(scenario.Expected.Created + scenario.Expected.AlreadyPresent, finished.Counters.Created + finished.Counters.AlreadyPresent);
        Assert.Equal(0, finished.Counters.Failed);
    }

    [Fact]
    public async Task Items_Jira_refuses_are_counted_as_failed_and_the_job_completes()
    {
        using var scenario = new BackfillScenario(100);
        scenario.Jira.RefusedRules.Add("sbom-update");
        var job = await scenario.StartAsync();

        var finished = await scenario.RunToEndAsync(job.Id);

        var refused = scenario.ExpectedMissing.Count(m => m.Summary.Contains("SBOM", StringComparison.OrdinalIgnoreCase));
        Assert.True(refused > 0);
        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(refused, finished.Counters.Failed);
        Assert.Equal(scenario.Expected.Created - refused, finished.Counters.Created);
    }

    [Fact]
    public async Task A_real_run_stops_when_the_project_is_no_longer_On()
    {
        using var scenario = new BackfillScenario(50);
        var job = await scenario.StartAsync();
        await scenario.Settings.SaveAsync(new ProjectSettings("MED", ProjectMode.Shadow, global::MedTechTracker.Rules.Model.SafetyClass.C, DateTimeOffset.UtcNow), CancellationToken.None);

        var finished = await scenario.RunToEndAsync(job.Id);

        Assert.Equal(BackfillStatus.Failed, finished.Status);
        Assert.Contains("Switch it On", finished.Error, StringComparison.Ordinal);
        Assert.Empty(scenario.Jira.BulkCallSizes);
    }

    [Fact]
    public async Task A_cancel_request_stops_a_running_job_at_its_next_checkpoint()
    {
        using var scenario = new BackfillScenario(200);
        var job = await scenario.StartAsync();
        var claimed = await scenario.Runner().TryClaimAsync(job.Id, CancellationToken.None);
        Assert.NotNull(claimed);
        await scenario.Jobs().CancelAsync(job.Id, "test", CancellationToken.None);

        var finished = await scenario.Runner().RunAsync(claimed, CancellationToken.None);

        Assert.Equal(BackfillStatus.Cancelled, finished.Status);
        Assert.True(finished.Counters.Scanned <= 25);
    }

    [Fact]
    public async Task A_running_job_with_a_live_lease_is_not_claimed_twice()
    {
        using var scenario = new BackfillScenario(10);
        var job = await scenario.StartAsync();

        var first = await scenario.Runner().TryClaimAsync(job.Id, CancellationToken.None);
        var second = await scenario.Runner().TryClaimAsync(job.Id, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
    }

    [Fact]
    public async Task Every_Jira_call_of_a_job_goes_through_its_rate_limiter()
    {
        using var scenario = new BackfillScenario(60);
        scenario.Options.RequestsPerSecond = 1000;
        var counting = new CountingLimiter();
        using var client = new ThrottledJiraClient(scenario.Jira, counting);

        await client.ApproximateCountAsync("project = MED", CancellationToken.None);
        await client.SearchAsync("project = MED", null, 10, CancellationToken.None);
        await client.CreateSubtasksAsync([], CancellationToken.None);

        Assert.Equal(3, counting.Acquired);
    }

    private sealed class CountingLimiter : System.Threading.RateLimiting.RateLimiter
    {
        public int Acquired { get; private set; }

        public override TimeSpan? IdleDuration => null;

        public override System.Threading.RateLimiting.RateLimiterStatistics? GetStatistics() => null;

        protected override System.Threading.RateLimiting.RateLimitLease AttemptAcquireCore(int permitCount) => throw new NotSupportedException();

        protected override ValueTask<System.Threading.RateLimiting.RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            Acquired++;
            return ValueTask.FromResult<System.Threading.RateLimiting.RateLimitLease>(new Lease());
        }

        private sealed class Lease : System.Threading.RateLimiting.RateLimitLease
        {
            public override bool IsAcquired => true;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
