using System.Net;
using MedTechTracker.Jira;
using MedTechTracker.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.Tests.Worker;

public sealed class WorkerConcurrencyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_worker_takes_four_messages_per_Jira_call_the_governor_allows_and_grows_while_Jira_answers_fast()
    {
        var (governor, concurrency) = Create(maxJiraCalls: 16, ceiling: 64);
        Assert.Equal(16, concurrency.Target);

        for (var i = 0; i < 200; i++)
        {
            governor.Observe(new HttpResponseMessage(HttpStatusCode.OK), TimeSpan.FromMilliseconds(150));
        }

        Assert.Equal(64, concurrency.Target);
    }

    [Fact]
    public void A_429_halves_what_the_worker_takes_on()
    {
        var (governor, concurrency) = Create(maxJiraCalls: 16, ceiling: 64);
        for (var i = 0; i < 200; i++)
        {
            governor.Observe(new HttpResponseMessage(HttpStatusCode.OK));
        }

        governor.Observe(new HttpResponseMessage(HttpStatusCode.TooManyRequests));

        Assert.Equal(32, concurrency.Target);
    }

    [Fact]
    public void Slow_answers_shrink_what_the_worker_takes_on_instead_of_growing_it()
    {
        var (governor, concurrency) = Create(maxJiraCalls: 16, ceiling: 64);
        var before = concurrency.Target;

        governor.Observe(new HttpResponseMessage(HttpStatusCode.OK), TimeSpan.FromSeconds(5));

        Assert.True(concurrency.Target < before, $"{concurrency.Target} after a 5 s answer, {before} before");
    }

    [Fact]
    public void Worker_concurrency_is_a_ceiling_the_governor_never_exceeds()
    {
        var (governor, concurrency) = Create(maxJiraCalls: 64, ceiling: 8);
        for (var i = 0; i < 2000; i++)
        {
            governor.Observe(new HttpResponseMessage(HttpStatusCode.OK));
        }

        Assert.Equal(8, concurrency.Target);
    }

    private (JiraRateGovernor Governor, WorkerConcurrency Concurrency) Create(int maxJiraCalls, int ceiling)
    {
        var governor = new JiraRateGovernor(Options.Create(new JiraOptions { MaxConcurrency = maxJiraCalls }), _time, NullLogger<JiraRateGovernor>.Instance);
        return (governor, new WorkerConcurrency(governor, Options.Create(new WorkerOptions { Concurrency = ceiling })));
    }
}
