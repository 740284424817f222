using MedTechTracker.Backfill;
using MedTechTracker.Storage;

namespace MedTechTracker.IntegrationTests.Backfill;

public sealed class BackfillTests : IDisposable
{
    private readonly BackfillHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_backfill_of_1200_issues_over_12_pages_creates_exactly_the_missing_subtasks()
    {
        var services = _harness.Services(pageSize: 100);
        _harness.Jira.Generate("MED", 1200);
        _harness.AddSomeAlreadyPresent(services, "MED");
        await _harness.SetProjectAsync(services, "MED", ProjectMode.On);
        var (expected, missing) = _harness.Expect(services, "MED");
        Assert.True(expected.AlreadyPresent > 0 && expected.Created > 0);

        var job = await BackfillHarness.StartAsync(services, new BackfillRequest("MED"));
        var finished = await BackfillHarness.RunAsync(services, job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(expected, finished.Counters);
        Assert.Equal(1200, finished.EstimatedTotal);
        Assert.Equal(missing.Order(), _harness.Jira.Created.Order());
        _harness.AssertNoDuplicateSubtasks();
        Assert.Equal(12, _harness.Jira.CallsByOperation["search"]);
        Assert.All(_harness.Jira.BulkCallSizes, size => Assert.InRange(size, 1, 50));
        Assert.Equal((int)Math.Ceiling(expected.Created / 50.0), _harness.Jira.BulkCallSizes.Count);
        Assert.All(_harness.Jira.SearchedJql, jql => Assert.Equal("project = MED AND issuetype not in subTaskIssueTypes() ORDER BY created ASC", jql));
    }

    [Fact]
    public async Task A_storm_of_429s_is_ridden_out_without_duplicates_and_with_exact_counters()
    {
        var services = _harness.Services(pageSize: 50);
        _harness.Jira.Generate("MED", 300);
        _harness.AddSomeAlreadyPresent(services, "MED");
        await _harness.SetProjectAsync(services, "MED", ProjectMode.On);
        var (expected, missing) = _harness.Expect(services, "MED");

        // Every other request of the first 24 is refused with 429 and Retry-After: 1.
        _harness.Jira.RateLimited = n => n <= 24 && n % 2 == 0;
        var job = await BackfillHarness.StartAsync(services, new BackfillRequest("MED"));
        var finished = await BackfillHarness.RunAsync(services, job.Id);

        Assert.True(_harness.Jira.RateLimitedCount >= 10, $"only {_harness.Jira.RateLimitedCount} 429s were served");
        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(expected, finished.Counters);
        Assert.Equal(missing.Order(), _harness.Jira.Created.Order());
        _harness.AssertNoDuplicateSubtasks();
    }

    [Fact]
    public async Task An_expired_page_token_restarts_the_query_from_the_checkpoint()
    {
        var services = _harness.Services(pageSize: 100);
        _harness.Jira.Generate("MED", 600);
        _harness.AddSomeAlreadyPresent(services, "MED");
        await _harness.SetProjectAsync(services, "MED", ProjectMode.On);
        var (expected, missing) = _harness.Expect(services, "MED");
        var baseJql = BackfillJql.Build("MED", null, null);
        _harness.Jira.ExpiredTokens.Add($"t{(uint)baseJql.GetHashCode(StringComparison.Ordinal)}.300");

        var job = await BackfillHarness.StartAsync(services, new BackfillRequest("MED"));
        var finished = await BackfillHarness.RunAsync(services, job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Contains(_harness.Jira.SearchedJql, jql => jql.Contains("AND created >= \"", StringComparison.Ordinal));
        Assert.Equal(expected, finished.Counters);
        Assert.Equal(missing.Order(), _harness.Jira.Created.Order());
        _harness.AssertNoDuplicateSubtasks();
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_to_Jira()
    {
        var services = _harness.Services(pageSize: 100);
        _harness.Jira.Generate("MED", 250);
        _harness.AddSomeAlreadyPresent(services, "MED");
        await _harness.SetProjectAsync(services, "MED", ProjectMode.Shadow);
        var (expected, _) = _harness.Expect(services, "MED");

        var job = await BackfillHarness.StartAsync(services, new BackfillRequest("MED", DryRun: true));
        var finished = await BackfillHarness.RunAsync(services, job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.Equal(expected, finished.Counters);
        Assert.True(finished.Counters.Created > 0);
        Assert.False(_harness.Jira.CallsByOperation.ContainsKey("bulk"));
        Assert.Empty(_harness.Jira.Created);
    }

    [Fact]
    public async Task A_user_filter_with_OR_cannot_reach_another_project()
    {
        var services = _harness.Services(pageSize: 100);
        _harness.Jira.Generate("MED", 120);
        _harness.Jira.Generate("OTHER", 120);
        await _harness.SetProjectAsync(services, "MED", ProjectMode.On);
        await _harness.SetProjectAsync(services, "OTHER", ProjectMode.On);
        var (expected, missing) = _harness.Expect(services, "MED");

        var job = await BackfillHarness.StartAsync(services, new BackfillRequest("MED", "x = 1 OR project = OTHER"));
        var finished = await BackfillHarness.RunAsync(services, job.Id);

        Assert.Equal(BackfillStatus.Completed, finished.Status);
        Assert.NotEmpty(_harness.Jira.SearchedJql);
        Assert.All(_harness.Jira.SearchedJql.Concat(_harness.Jira.CountedJql), jql =>
        {
            Assert.StartsWith("project = MED AND issuetype not in subTaskIssueTypes()", jql, StringComparison.Ordinal);
            Assert.Contains(" AND (x = 1 OR project = OTHER)", jql, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(_harness.Jira.Created, c => c.Parent.StartsWith("OTHER-", StringComparison.Ordinal));
        Assert.All(_harness.Jira.Issues.Where(i => i.Project == "OTHER"), i => Assert.Empty(i.Subtasks));
        Assert.Equal(expected.Scanned, finished.Counters.Scanned);
        Assert.Equal(missing.Order(), _harness.Jira.Created.Order());
    }
}
