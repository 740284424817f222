using MedTechTracker.Jira;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Jira;

public sealed class JiraOAuthTests : IDisposable
{
    private const string CloudId = "c10ud";
    private const string MyselfPath = $"/ex/jira/{CloudId}/rest/api/3/myself";
    private readonly WireMockServer _jira = WireMockServer.Start();

    public void Dispose() => _jira.Stop();

    private JiraTestHost Host() => JiraTestHost.Create(_jira, settings: new Dictionary<string, string?>
    {
        ["Jira:Email"] = null,
        ["Jira:ApiToken"] = null,
        ["Jira:OAuth:ClientId"] = "client",
        ["Jira:OAuth:ClientSecret"] = "secret-CANARY",
        ["Jira:OAuth:TokenUrl"] = _jira.Url + "/oauth/token",
        ["Jira:GatewayUrl"] = _jira.Url,
        ["Jira:CloudId"] = CloudId,
    });

    private void TokensInTurn(params string[] tokens)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            var step = _jira.Given(Request.Create().WithPath("/oauth/token").UsingPost()).InScenario("tokens");
            step = i == 0 ? step : step.WhenStateIs($"t{i}");
            step.WillSetStateTo($"t{i + 1}")
                .RespondWith(Response.Create().WithStatusCode(200).WithBody($$"""{"access_token":"{{tokens[i]}}","expires_in":3600,"token_type":"Bearer"}"""));
        }
    }

    [Fact]
    public async Task A_401_fetches_one_new_token_and_sends_once_more()
    {
        TokensInTurn("revoked", "fresh");
        _jira.Given(Request.Create().WithPath(MyselfPath).WithHeader("Authorization", "Bearer revoked").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithBody("""{"errorMessages":["Unauthorized"]}"""));
        _jira.Given(Request.Create().WithPath(MyselfPath).WithHeader("Authorization", "Bearer fresh").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-1"}"""));
        await using var host = Host();

        Assert.Equal("bot-1", await host.Client.GetBotAccountIdAsync(CancellationToken.None));
        Assert.Equal(2, _jira.LogEntries.Count(e => e.RequestMessage!.Path == "/oauth/token"));
    }

    [Fact]
    public async Task A_second_401_with_a_fresh_token_is_permanent_and_fetches_no_third_token()
    {
        TokensInTurn("one", "two", "three");
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithBody("""{"errorMessages":["Unauthorized"]}"""));
        await using var host = Host();

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetBotAccountIdAsync(CancellationToken.None));

        Assert.True(error.Permanent);
        Assert.Equal(401, error.StatusCode);
        Assert.Equal(2, _jira.LogEntries.Count(e => e.RequestMessage!.Path == "/oauth/token"));
        Assert.Equal(2, _jira.LogEntries.Count(e => e.RequestMessage!.Path == MyselfPath));
        Assert.DoesNotContain("CANARY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token()
    {
        TokensInTurn("shared", "unused");
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-1"}"""));
        await using var host = Host();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => host.Client.GetBotAccountIdAsync(CancellationToken.None)));

        Assert.Equal(1, _jira.LogEntries.Count(e => e.RequestMessage!.Path == "/oauth/token"));
    }

    [Fact]
    public async Task Refused_client_credentials_are_a_permanent_failure_that_does_not_name_the_secret()
    {
        _jira.Given(Request.Create().WithPath("/oauth/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(401).WithBody("""{"error":"access_denied","error_description":"Unauthorized"}"""));
        await using var host = Host();

        var error = await Assert.ThrowsAsync<JiraException>(() => host.Client.GetBotAccountIdAsync(CancellationToken.None));

        Assert.True(error.Permanent);
        Assert.Contains("client credentials were refused", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_cloud_id_it_is_read_once_from_tenant_info()
    {
        TokensInTurn("t");
        _jira.Given(Request.Create().WithPath("/_edge/tenant_info").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody($$"""{"cloudId":"{{CloudId}}"}"""));
        _jira.Given(Request.Create().WithPath(MyselfPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"accountId":"bot-1"}"""));
        await using var host = JiraTestHost.Create(_jira, settings: new Dictionary<string, string?>
        {
            ["Jira:Email"] = null,
            ["Jira:ApiToken"] = null,
            ["Jira:OAuth:ClientId"] = "client",
            ["Jira:OAuth:ClientSecret"] = "secret",
            ["Jira:OAuth:TokenUrl"] = _jira.Url + "/oauth/token",
            ["Jira:GatewayUrl"] = _jira.Url,
        });

        Assert.Equal("bot-1", await host.Client.GetBotAccountIdAsync(CancellationToken.None));
        Assert.Equal("bot-1", await host.Client.GetBotAccountIdAsync(CancellationToken.None));
        Assert.Equal(1, _jira.LogEntries.Count(e => e.RequestMessage!.Path == "/_edge/tenant_info"));
    }
}
