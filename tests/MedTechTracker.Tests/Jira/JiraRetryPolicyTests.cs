using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MedTechTracker.Jira;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MedTechTracker.Tests.Jira;

public sealed class JiraRetryPolicyTests
{
    private static HttpRequestMessage Get() => new(HttpMethod.Get, "https://acme.atlassian.net/rest/api/3/issue/MED-1");

    private static HttpRequestMessage Bulk() => new(HttpMethod.Post, "https://acme.atlassian.net/rest/api/3/issue/bulk");

    private static HttpRequestMessage Search() => new(HttpMethod.Post, "https://acme.atlassian.net/rest/api/3/search/jql");

    private static Outcome<HttpResponseMessage> Status(int status, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is { } delta)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(delta);
        }

        return Outcome.FromResult(response);
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(408, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void Reads_retry_on_every_transient_status(int status, bool retried)
    {
        Assert.Equal(retried, JiraResilience.ShouldRetry(Status(status), Get()));
        Assert.Equal(retried, JiraResilience.ShouldRetry(Status(status), Search()));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public void Bulk_create_is_not_retried_when_jira_may_have_processed_it(int status)
    {
        Assert.False(JiraResilience.ShouldRetry(Status(status), Bulk()));
    }

    [Fact]
    public void Bulk_create_is_retried_when_jira_proves_it_did_not_process_it()
    {
        Assert.True(JiraResilience.ShouldRetry(Status(429), Bulk()));
        Assert.True(JiraResilience.ShouldRetry(Status(503, TimeSpan.FromSeconds(5)), Bulk()));
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));
        Assert.True(JiraResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(refused), Bulk()));
    }

    [Fact]
    public void Bulk_create_is_not_retried_after_a_timeout_or_a_dropped_connection()
    {
        Assert.False(JiraResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), Bulk()));
        var dropped = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        Assert.False(JiraResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(dropped), Bulk()));
    }

    [Fact]
    public void Reads_are_retried_after_timeouts_and_network_errors_but_not_an_open_circuit()
    {
        Assert.True(JiraResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()), Get()));
        Assert.True(JiraResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ResponseEnded)), Get()));
        Assert.False(JiraResilience.ShouldRetry(Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException()), Get()));
    }

    [Fact]
    public void Retry_after_is_the_minimum_wait_plus_jittered_backoff()
    {
        var baseDelay = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(30);

        Assert.Equal(TimeSpan.FromSeconds(2), JiraResilience.Delay(0, TimeSpan.FromSeconds(2), baseDelay, cap, jitter: 0));
        Assert.Equal(TimeSpan.FromSeconds(3), JiraResilience.Delay(0, TimeSpan.FromSeconds(2), baseDelay, cap, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(6), JiraResilience.Delay(2, TimeSpan.FromSeconds(2), baseDelay, cap, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(4), JiraResilience.Delay(2, null, baseDelay, cap, jitter: 1));
    }

    [Fact]
    public void Backoff_is_capped_but_a_longer_retry_after_is_still_honoured()
    {
        var baseDelay = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(30);

        Assert.Equal(cap, JiraResilience.Delay(20, null, baseDelay, cap, jitter: 1));
        Assert.Equal(cap, JiraResilience.Delay(10, TimeSpan.FromSeconds(10), baseDelay, cap, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(90), JiraResilience.Delay(10, TimeSpan.FromSeconds(90), baseDelay, cap, jitter: 1));
    }

    [Fact]
    public void Retry_after_is_read_as_seconds_or_as_an_http_date()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.TryAddWithoutValidation("Retry-After", "7");
        using var date = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        date.Headers.TryAddWithoutValidation("Retry-After", "Thu, 01 Jan 2026 00:00:12 GMT");
        using var past = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        past.Headers.TryAddWithoutValidation("Retry-After", "Wed, 31 Dec 2025 23:00:00 GMT");
        using var none = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Equal(TimeSpan.FromSeconds(7), JiraResilience.RetryAfter(seconds, time));
        Assert.Equal(TimeSpan.FromSeconds(12), JiraResilience.RetryAfter(date, time));
        Assert.Equal(TimeSpan.Zero, JiraResilience.RetryAfter(past, time));
        Assert.Null(JiraResilience.RetryAfter(none, time));
    }
}
