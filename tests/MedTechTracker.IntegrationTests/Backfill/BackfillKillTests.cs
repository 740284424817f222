using System.Text.RegularExpressions;
using MedTechTracker.Backfill;
using MedTechTracker.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.Backfill;

public sealed partial class BackfillKillTests : IDisposable
{
    private readonly BackfillHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_backfill_process_killed_mid_job_resumes_without_duplicates_and_ends_with_an_uninterrupted_runs_counters()
    {
        var services = _harness.Services();
        _harness.Jira.Generate("MED", 1200);
        _harness.AddSomeAlreadyPresent(services, "MED");
        await _harness.SetProjectAsync(services, "MED", ProjectMode.On);
        var (expected, missing) = _harness.Expect(services, "MED");

        // Slow enough (20 requests/s, a little latency) that the kill lands in the middle of the job.
        _harness.Jira.Latency = TimeSpan.FromMilliseconds(10);
        var environment = _harness.Environment(pageSize: 100, requestsPerSecond: 20);
        string id;
        using (var first = new TrackerProcess(environment, "backfill", "start", "--project", "MED", "--wait"))
        {
            await Poll(() => _harness.Jira.BulkCallSizes.Count >= 8 || first.Process.HasExited, TimeSpan.FromMinutes(2));
            Assert.False(first.Process.HasExited, $"The backfill ended before it could be killed:\n{first.Output}");
            first.KillHard();
            id = JobId().Match(first.Output) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"No job id in:\n{first.Output}");
        }

        var killed = await services.GetRequiredService<IBackfillStore>().GetAsync(id, CancellationToken.None);
        Assert.Equal(BackfillStatus.Running, killed!.Status);
        Assert.True(_harness.Jira.Created.Count < missing.Count, "the job finished before the kill");

        using (var resumed = new TrackerProcess(environment, "backfill", "resume", id, "--wait"))
        {
            var exit = await resumed.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, resumed.Output);
        }

        using (var status = new TrackerProcess(environment, "backfill", "status", id))
        {
            Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains($"{id} MED Completed: scanned {expected.Scanned} of ~1200 (100.0 %)", status.Output, StringComparison.Ordinal);
        }

        var finished = await services.GetRequiredService<IBackfillStore>().GetAsync(id, CancellationToken.None);
        Assert.Equal(BackfillStatus.Completed, finished!.Status);
        Assert.Equal(missing.Order(), _harness.Jira.Created.Order());
        _harness.AssertNoDuplicateSubtasks();

        // Exact across a kill (see BackfillRunner): scanned, matched, failed and created + already present.
        Assert.Equal(expected.Scanned, finished.Counters.Scanned);
        Assert.Equal(expected.Matched, finished.Counters.Matched);
        Assert.Equal(expected.Failed, finished.Counters.Failed);
        Assert.Equal(expected.Created + expected.AlreadyPresent, finished.Counters.Created + finished.Counters.AlreadyPresent);
        Assert.InRange(finished.Counters.Created, expected.Created - (100 * 22), expected.Created);
    }

    private static async Task Poll(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true in time.");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"Queued backfill (bf-[0-9a-z-]+) ")]
    private static partial Regex JobId();
}
