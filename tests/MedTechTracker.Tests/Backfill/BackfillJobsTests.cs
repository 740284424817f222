using MedTechTracker.Backfill;
using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Backfill;

public sealed class BackfillJobsTests
{
    [Fact]
    public async Task Only_one_active_job_per_project()
    {
        using var scenario = new BackfillScenario(5);
        await scenario.StartAsync(dryRun: true);

        var second = await scenario.Jobs().StartAsync(new BackfillRequest("MED", DryRun: true), "test", CancellationToken.None);

        Assert.Equal(BackfillErrorKind.Conflict, second.ErrorKind);
        Assert.Contains("one job per project", second.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProjectMode.Off)]
    [InlineData(ProjectMode.Shadow)]
    public async Task A_real_run_needs_the_project_On_but_a_dry_run_does_not(ProjectMode mode)
    {
        using var scenario = new BackfillScenario(5, mode: mode);

        var real = await scenario.Jobs().StartAsync(new BackfillRequest("MED"), "test", CancellationToken.None);
        var dry = await scenario.Jobs().StartAsync(new BackfillRequest("MED", DryRun: true), "test", CancellationToken.None);

        Assert.Equal(BackfillErrorKind.Conflict, real.ErrorKind);
        Assert.True(dry.Succeeded);
    }

    [Fact]
    public async Task A_queued_job_is_cancelled_at_once_and_can_be_resumed()
    {
        using var scenario = new BackfillScenario(5);
        var job = await scenario.StartAsync();

        var cancelled = await scenario.Jobs().CancelAsync(job.Id, "test", CancellationToken.None);
        var resumed = await scenario.Jobs().ResumeAsync(job.Id, "test", CancellationToken.None);

        Assert.Equal(BackfillStatus.Cancelled, cancelled.Job!.Status);
        Assert.Equal(BackfillStatus.Queued, resumed.Job!.Status);
        Assert.False(resumed.Job.CancelRequested);
    }

    [Fact]
    public async Task A_filter_reaching_outside_its_parentheses_is_refused_with_a_reason()
    {
        using var scenario = new BackfillScenario(5);

        var result = await scenario.Jobs().StartAsync(new BackfillRequest("MED", "x = 1) OR (project = OTHER", DryRun: true), "test", CancellationToken.None);

        Assert.Equal(BackfillErrorKind.Invalid, result.ErrorKind);
        Assert.Contains("parenthesis", result.Error, StringComparison.Ordinal);
    }
}
