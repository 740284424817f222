using MedTechTracker.Ingress;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.Tests.Ingress;

public sealed class WebhookReplayGuardTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_same_event_for_the_same_issue_is_claimed_once_within_the_window()
    {
        var guard = Guard();

        Assert.True(guard.TryClaim("jira:issue_created", "10001"));
        Assert.False(guard.TryClaim("jira:issue_created", "10001"));
        Assert.True(guard.TryClaim("jira:issue_created", "10002"));
        Assert.True(guard.TryClaim("jira:issue_updated", "10001"));
    }

    [Fact]
    public void A_claim_is_forgotten_once_no_fresh_replay_could_still_arrive()
    {
        var guard = Guard();
        guard.TryClaim("jira:issue_created", "10001");

        _clock.Advance(TimeSpan.FromMinutes(66));

        Assert.True(guard.TryClaim("jira:issue_created", "10001"));
    }

    [Fact]
    public void A_released_claim_can_be_claimed_again()
    {
        var guard = Guard();
        guard.TryClaim("jira:issue_created", "10001");

        guard.Release("jira:issue_created", "10001");

        Assert.True(guard.TryClaim("jira:issue_created", "10001"));
    }

    [Fact]
    public void Memory_is_bounded_and_the_oldest_claims_go_first()
    {
        var guard = Guard(memory: 1000);
        for (var i = 0; i < 1500; i++)
        {
            guard.TryClaim("jira:issue_created", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.True(guard.TryClaim("jira:issue_created", "0"));
        Assert.False(guard.TryClaim("jira:issue_created", "1499"));
    }

    private WebhookReplayGuard Guard(int memory = 100_000) =>
        new(Options.Create(new WebhookOptions { ReplayMemory = memory }), _clock);
}
