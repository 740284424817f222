using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>
/// Every attempt passes the process's <see cref="JiraRateGovernor"/>: it waits for an open window and a slot, and its answer
/// teaches the governor. Inside the retries, so a retried attempt also waits for the window instead of hitting it.
/// </summary>
public sealed class JiraRateGovernorHandler(JiraRateGovernor governor, IOptions<JiraOptions> options, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var slot = await governor.EnterAsync(options.Value.RateLimitWaitBudget, cancellationToken).ConfigureAwait(false);
        var started = time.GetTimestamp();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        governor.Observe(response, time.GetElapsedTime(started));
        return response;
    }
}
