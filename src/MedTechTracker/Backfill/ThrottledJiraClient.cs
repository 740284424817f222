using System.Threading.RateLimiting;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Backfill;

/// <summary>
/// One job's view of Jira: every call first takes a permit from the job's rate limiter, so the job's
/// searches, counts and bulk creates together stay under the configured requests per second.
/// Back-off on 429 is the Jira client's own resilience pipeline, underneath this.
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

    public async Task<string?> GetSubtaskIssueTypeIdAsync(string projectKey, CancellationToken cancellationToken)
    {
        using var _ = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await inner.GetSubtaskIssueTypeIdAsync(projectKey, cancellationToken).ConfigureAwait(false);
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
