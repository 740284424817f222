using MedTechTracker.Jira;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Jira;

/// <summary>A host with only <c>AddJira()</c>, pointed at a WireMock Jira, with fast back-off unless told otherwise.</summary>
internal sealed class JiraTestHost : IAsyncDisposable
{
    private JiraTestHost(IHost host) => Host = host;

    public IHost Host { get; }

    public IJiraClient Client => Host.Services.GetRequiredService<IJiraClient>();

    public static JiraTestHost Create(WireMockServer server, TimeProvider? timeProvider = null, IDictionary<string, string?>? settings = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["Jira:BaseUrl"] = server.Url,
            ["Jira:Email"] = "bot@example.com",
            ["Jira:ApiToken"] = "secret-api-token",
            ["Jira:RetryBaseDelay"] = "00:00:00.010",
            ["Jira:RetryMaxDelay"] = "00:00:00.100",
            ["Jira:StartupIdentityTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        builder.AddJira();
        return new JiraTestHost(builder.Build());
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            Host.Dispose();
        }
    }
}
