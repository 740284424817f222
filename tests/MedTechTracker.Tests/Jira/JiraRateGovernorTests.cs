using System.Net;
using MedTechTracker.Jira;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.Tests.Jira;

public sealed class JiraRateGovernorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _time = new(Now);

    private JiraRateGovernor Governor(int maxConcurrency = 16) =>
        new(Options.Create(new JiraOptions { MaxConcurrency = maxConcurrency }), _time, NullLogger<JiraRateGovernor>.Instance);

    private static HttpResponseMessage Answer(int status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Fact]
    public void A_429_with_an_ISO_reset_instant_and_no_Retry_After_closes_the_window_until_that_instant_with_its_reason()
    {
        var governor = Governor();

        governor.Observe(Answer(429, ("X-RateLimit-Reset", "2026-12-03T14:05:00Z"), ("RateLimit-Reason", "jira-quota-tenant-based")));

        Assert.Equal(Now.AddMinutes(5), governor.State.PausedUntil);
        Assert.Equal("jira-quota-tenant-based", governor.State.Reason);
    }

    [Fact]
    public void Beta_prefixed_headers_count_like_the_plain_ones()
    {
        var governor = Governor();

        governor.Observe(Answer(429, ("X-Beta-RateLimit-Reset", "2026-12-03T14:00:30.000Z"), ("X-Beta-RateLimit-Reason", "jira-burst-based")));

        Assert.Equal(Now.AddSeconds(30), governor.State.PausedUntil);
        Assert.Equal("jira-burst-based", governor.State.Reason);
    }

    [Fact]
    public void The_latest_of_Retry_After_and_the_reset_instant_wins()
    {
        var governor = Governor();

        governor.Observe(Answer(429, ("Retry-After", "90"), ("X-RateLimit-Reset", "2026-12-03T14:01:00Z")));

        Assert.Equal(Now.AddSeconds(90), governor.State.PausedUntil);
    }

    [Fact]
    public async Task A_window_longer_than_the_budget_is_refused_at_once_without_waiting()
    {
        var governor = Governor();
        governor.Observe(Answer(429, ("X-RateLimit-Reset", "2026-12-03T14:00:25Z")));

        var refused = await Assert.ThrowsAsync<JiraRateLimitedException>(async () => await governor.EnterAsync(TimeSpan.FromSeconds(20), CancellationToken.None));

        Assert.Equal(Now.AddSeconds(25), refused.Until);
    }

    [Fact]
    public async Task A_window_within_the_budget_is_waited_out_and_then_the_call_goes_through()
    {
        var governor = Governor();
        governor.Observe(Answer(429, ("Retry-After", "5")));

        var entering = governor.EnterAsync(TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        Assert.False(entering.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5));
        using var slot = await entering.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, governor.State.InFlight);
    }

    [Fact]
    public void Concurrency_halves_on_a_429_and_grows_back_additively_on_success_unless_near_the_limit()
    {
        var governor = Governor();
        var start = governor.State.ConcurrencyLimit;

        governor.Observe(Answer(429, ("Retry-After", "0")));
        var halved = governor.State.ConcurrencyLimit;
        for (var i = 0; i < 20; i++)
        {
            governor.Observe(Answer(200, ("X-RateLimit-NearLimit", "true")));
        }

        var held = governor.State.ConcurrencyLimit;
        for (var i = 0; i < 20; i++)
        {
            governor.Observe(Answer(200));
        }

        Assert.Equal(start / 2, halved);
        Assert.Equal(halved, held);
        Assert.True(governor.State.ConcurrencyLimit > halved);
    }

    [Fact]
    public async Task After_a_429_the_concurrency_grows_back_to_nine_tenths_of_what_drew_it_and_probes_higher_only_30_seconds_later()
    {
        var governor = Governor(maxConcurrency: 16);
        for (var i = 0; i < 200; i++)
        {
            governor.Observe(Answer(200));
        }

        var slots = new List<IDisposable>();
        for (var i = 0; i < 10; i++)
        {
            slots.Add(await governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        }

        governor.Observe(Answer(429, ("Retry-After", "1")));
        slots.ForEach(s => s.Dispose());
        Assert.Equal(8, governor.State.ConcurrencyLimit); // 16 halved

        _time.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 200; i++)
        {
            governor.Observe(Answer(200));
        }

        Assert.Equal(9, governor.State.ConcurrencyLimit); // 0.9 × the 10 in flight when the 429 came

        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 200; i++)
        {
            governor.Observe(Answer(200));
        }

        Assert.Equal(16, governor.State.ConcurrencyLimit);
    }

    [Fact]
    public void The_429s_of_calls_already_in_flight_when_the_window_closed_halve_the_concurrency_only_once()
    {
        var governor = Governor();
        var start = governor.State.ConcurrencyLimit;

        for (var i = 0; i < 4; i++)
        {
            governor.Observe(Answer(429, ("Retry-After", "1"), ("RateLimit-Reason", "jira-quota-tenant-based")));
        }

        Assert.Equal(start / 2, governor.State.ConcurrencyLimit);
    }

    [Fact]
    public async Task No_more_calls_than_the_concurrency_limit_are_in_flight()
    {
        var governor = Governor(maxConcurrency: 2);
        using var first = await governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        using var second = await governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        var third = governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        first.Dispose();
        using var entered = await third.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, governor.State.InFlight);
    }

    [Fact]
    public async Task Two_slots_freed_one_after_the_other_let_both_waiting_calls_in_without_waiting_for_the_clock()
    {
        var governor = Governor(maxConcurrency: 2);
        var first = await governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        var second = await governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        var third = governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();
        var fourth = governor.EnterAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask();

        first.Dispose();
        second.Dispose();

        // The fake clock stands still: a waiter not woken by a freed slot would wait for its one-second re-check.
        var entered = await Task.WhenAll(third, fourth).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, governor.State.InFlight);
        foreach (var slot in entered)
        {
            slot.Dispose();
        }
    }

    [Fact]
    public void A_per_issue_write_limit_does_not_close_the_window_for_every_other_call()
    {
        var governor = Governor();
        var before = governor.State.ConcurrencyLimit;

        governor.Observe(Answer(429, ("Retry-After", "2"), ("RateLimit-Reason", "jira-per-issue-on-write")));

        Assert.Null(governor.State.PausedUntil);
        Assert.Equal(before, governor.State.ConcurrencyLimit);
    }
}
