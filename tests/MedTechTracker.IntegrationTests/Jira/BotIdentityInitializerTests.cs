using MedTechTracker.Jira;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Jira;

public sealed class BotIdentityInitializerTests : IDisposable
{
    private readonly WireMockServer _jira = WireMockServer.Start();

    public void Dispose() => _jira.Stop();

    [Fact]
    public async Task Bot_account_is_known_once_the_host_has_started()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/myself").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"5b10ac8d82e05b22cc7d4ef5"}"""));
        await using var host = JiraTestHost.Create(_jira);

        await host.Host.StartAsync();
        try
        {
            var identity = host.Host.Services.GetRequiredService<BotIdentity>();
            Assert.True(identity.IsBot("5b10ac8d82e05b22cc7d4ef5"));
        }
        finally
        {
            await host.Host.StopAsync();
        }
    }

    [Fact]
    public async Task Start_up_is_not_blocked_by_an_unavailable_jira_and_the_identity_arrives_later()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/myself").UsingGet()).InScenario("down").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("""{"errorMessages":["Down for maintenance"]}"""));
        _jira.Given(Request.Create().WithPath("/rest/api/3/myself").UsingGet()).InScenario("down").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-late"}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:RetryMaxAttempts"] = "1" });

        await host.Host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var identity = host.Host.Services.GetRequiredService<BotIdentity>();
            await Poll.UntilAsync(() => identity.IsKnown, "the bot identity to be learned in the background", TimeSpan.FromSeconds(60));
            Assert.Equal("bot-late", identity.AccountId);
            Assert.Equal(2, _jira.LogEntries.Count());
        }
        finally
        {
            await host.Host.StopAsync();
        }
    }

    [Fact]
    public async Task Start_up_waits_only_the_configured_time_for_a_hanging_jira()
    {
        _jira.Given(Request.Create().WithPath("/rest/api/3/myself").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(15)).WithBody("""{"accountId":"slow"}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:StartupIdentityTimeout"] = "00:00:01" });

        var started = System.Diagnostics.Stopwatch.StartNew();
        await host.Host.StartAsync();
        started.Stop();
        try
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"start-up took {started.Elapsed}");
            Assert.False(host.Host.Services.GetRequiredService<BotIdentity>().IsKnown);
        }
        finally
        {
            await host.Host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Missing_base_url_stops_start_up_naming_the_key()
    {
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:BaseUrl"] = "" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Contains("Jira:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_credentials_stop_start_up_naming_the_key()
    {
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?> { ["Jira:Email"] = null, ["Jira:ApiToken"] = null });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync());

        Assert.Contains("Jira:ApiToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-api-token", error.Message, StringComparison.Ordinal);
    }
}
