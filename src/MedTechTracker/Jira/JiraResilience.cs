using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace MedTechTracker.Jira;

/// <summary>
/// The one resilience pipeline of the Jira client: total time-out → retry → circuit breaker → per-attempt time-out
/// (the rate governor sits inside it, see <see cref="JiraRateGovernorHandler"/>).
/// </summary>
/// <remarks>
/// Why a retried POST cannot duplicate a sub-task:
/// <list type="bullet">
/// <item>Reads (GET, and the read-only POSTs <c>/search/jql</c> and <c>/search/approximate-count</c>) are retried on
/// every transient failure: 408, 429, 5xx, time-outs and network errors.</item>
/// <item>Writes (<c>POST /issue/bulk</c> and any other POST) are retried here ONLY when the outcome proves Jira did not
/// process the request: 429 (rate limiter rejected it before it ran), 503 with <c>Retry-After</c> (throttled/
/// unavailable, not processed), or a connection that could not be established (nothing was sent).</item>
/// <item>An ambiguous write outcome (time-out after the request was sent, 500/502/504, a connection dropped mid-way)
/// is NOT retried inside the HTTP pipeline: Jira may have created some sub-tasks. The call surfaces as a transient
/// <see cref="JiraException"/>, the worker abandons the message, and the next delivery re-reads the parent issue's
/// <c>fields.subtasks</c> (strongly consistent, unlike search) and creates only the rules whose summary is missing.
/// Work is serialised per issue key, so no second worker races on the same parent.</item>
/// </list>
/// Bulk-create items that Jira itself reports as failed (per-item <c>errors[].status</c> 429/5xx in a 201 answer)
/// were not created, so <see cref="JiraClient"/> resends just those items.
/// </remarks>
public static class JiraResilience
{
    public const string PipelineName = "jira";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, JiraOptions options, TimeProvider timeProvider)
    {
        builder.TimeProvider = timeProvider;
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "jira-total", Timeout = options.TotalTimeout });

        if (options.RetryMaxAttempts > 1)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "jira-retry",
                MaxRetryAttempts = options.RetryMaxAttempts - 1,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage())),
                // Waiting out Retry-After / X-RateLimit-Reset is the rate governor's job (inside this retry, shared by the
                // process): a retried attempt waits for its window there, or is deferred when that is too long.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    Delay(args.AttemptNumber, null, options.RetryBaseDelay, options.RetryMaxDelay)),
            });
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "jira-breaker",
            FailureRatio = 0.5,
            MinimumThroughput = 20,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(15),
            ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome)),
        });

        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "jira-attempt", Timeout = options.AttemptTimeout });
    }

    /// <summary>
    /// Rounds for bulk-create items Jira answered as transiently failed (per item 429/5xx): the callback returns what is
    /// left, and is called again while something is, up to <see cref="JiraOptions.BulkItemRetries"/> more times.
    /// </summary>
    public static ResiliencePipeline<List<T>> BulkItemPipeline<T>(JiraOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<List<T>> { TimeProvider = timeProvider };
        if (options.BulkItemRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<List<T>>
            {
                Name = "jira-bulk-items",
                MaxRetryAttempts = options.BulkItemRetries,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Count: > 0 }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.AttemptNumber, null, options.RetryBaseDelay, options.RetryMaxDelay)),
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// Retries <paramref name="attempt"/> until it returns true, forever (until cancelled), with capped jittered back-off:
    /// the bot identity at start-up.
    /// </summary>
    public static ResiliencePipeline<bool> UntilTrue(TimeSpan baseDelay, TimeSpan cap, TimeProvider timeProvider) =>
        new ResiliencePipelineBuilder<bool> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<bool>
            {
                Name = "jira-until",
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is false),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.AttemptNumber, baseDelay, baseDelay, cap)),
            })
            .Build();

    /// <summary>Whether this outcome may be retried for this request (see the class remarks).</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        var repeatable = IsRepeatable(request ?? outcome.Result?.RequestMessage);
        if (outcome.Result is { } response)
        {
            var status = (int)response.StatusCode;
            return status switch
            {
                429 => true,
                503 when response.Headers.RetryAfter is not null => true,
                408 or >= 500 => repeatable,
                _ => false,
            };
        }

        return outcome.Exception switch
        {
            null => false,
            BrokenCircuitException => false,
            _ when NotSent(outcome.Exception) => true,
            TimeoutRejectedException or HttpRequestException => repeatable,
            _ => false,
        };
    }

    /// <summary>GETs and the read-only search POSTs can be repeated freely; anything else is a write.</summary>
    internal static bool IsRepeatable(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return false;
        }

        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
        {
            return true;
        }

        var path = request.RequestUri?.AbsolutePath ?? "";
        return request.Method == HttpMethod.Post
            && (path.EndsWith("/search/jql", StringComparison.Ordinal) || path.EndsWith("/search/approximate-count", StringComparison.Ordinal));
    }

    /// <summary>The connection was never established, so the request never reached Jira.</summary>
    private static bool NotSent(Exception exception) => exception is HttpRequestException http
        && (http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            || http.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable });

    private static bool IsServerFailure(Outcome<HttpResponseMessage> outcome) => outcome.Result is { } response
        ? (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout
        : outcome.Exception is HttpRequestException or TimeoutRejectedException;

    /// <summary>
    /// Retry-After (when present) is the minimum wait; on top comes exponential back-off with full jitter, capped at
    /// <paramref name="cap"/> (a Retry-After longer than the cap is still honoured).
    /// </summary>
    internal static TimeSpan Delay(int attempt, TimeSpan? retryAfter, TimeSpan baseDelay, TimeSpan cap, double? jitter = null)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var backoff = TimeSpan.FromMilliseconds(Math.Min(exponential, cap.TotalMilliseconds) * (jitter ?? Random.Shared.NextDouble()));
        var minimum = retryAfter is { } ra && ra > TimeSpan.Zero ? ra : TimeSpan.Zero;
        var total = minimum + backoff;
        var ceiling = minimum > cap ? minimum : cap;
        return total > ceiling ? ceiling : total;
    }

    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider timeProvider)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
