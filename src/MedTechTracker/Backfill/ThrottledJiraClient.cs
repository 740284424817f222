using System.Threading.RateLimiting;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Backfill;

/// <summary>
/// One job's view of Jira: every call first takes a permit from the job's rate limiter, so the job's
/// searches, counts and bulk creates together stay under the configured requests per second.
/// This is a ceiling per job; Jira's own limits are the process's rate governor, underneath this (shared with the worker).
/// </summary>
public sealed class ThrottledJiraClient(IJiraClient inner, RateLimiter limiter) : IJiraClient, IDisposable
{
    /// <summary>A token bucket refilled every second; null (no throttling) when <paramref name="requestsPerSecond"/> is 0.</summary>
    public static RateLimiter? CreateLimiter(int requestsPerSecond) => requestsPerSecond <= 0
        ? null
        : new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = requestsPerSecond,
            TokensPerPeriod = requestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });

    public async Task<string> GetBotAccountIdAsync(CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetBotAccountIdAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IssueSnapshot?> GetIssueAsync(string issueKey, CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetIssueAsync(issueKey, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SubtaskScreen> GetSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetSubtaskScreenAsync(projectKey, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsProjectVisibleAsync(string projectKey, CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.IsProjectVisibleAsync(projectKey, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BulkCreateResult> CreateSubtasksAsync(IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken)
    {
        // The runner never passes more than 50 items, so this is exactly one bulk call.
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.CreateSubtasksAsync(items, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SearchPage> SearchAsync(string jql, string? nextPageToken, int maxResults, CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.SearchAsync(jql, nextPageToken, maxResults, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> ApproximateCountAsync(string jql, CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.ApproximateCountAsync(jql, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JiraProject>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.ListProjectsAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => limiter.Dispose();

    private async ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken)
    {
        var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException("The backfill rate limiter refused a permit.");
        }

        return lease;
    }
}
