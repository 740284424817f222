using System.Net.Http.Headers;
using System.Text;
using MedTechTracker.Hosting;
using MedTechTracker.Ingress;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Ingress;

/// <summary>
/// The real HTTP host (ServiceHost.Build, ingress role) on 127.0.0.1 with a free port, a recording queue,
/// captured logs and spans, and WireMock.Net standing in for Jira.
/// </summary>
public sealed class IngressTestHost : IAsyncDisposable
{
    public const string Secret = "It's a Secret to Everybody";
    public const string BotAccountId = "557058:bot-account";

    private readonly WireMockServer _jira;
    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;

    private IngressTestHost(WebApplication app, WireMockServer jira, string dataDirectory, bool ownsDataDirectory, FakeWorkQueue queue, InMemorySettingsStore store, CapturingLoggerProvider logs, List<System.Diagnostics.Activity> spans)
    {
        App = app;
        _jira = jira;
        _dataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        Queue = queue;
        Store = store;
        Logs = logs;
        Spans = spans;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public string DataDirectory => _dataDirectory;

    public HttpClient Client { get; }

    public FakeWorkQueue Queue { get; }

    public InMemorySettingsStore Store { get; }

    public CapturingLoggerProvider Logs { get; }

    public List<System.Diagnostics.Activity> Spans { get; }

    /// <summary>
    /// Starts the host. With <paramref name="embedded"/> the real SQLite queue and store in <paramref name="dataDirectory"/>
    /// (a fresh temp directory when null) are used instead of the recording fakes.
    /// </summary>
    public static async Task<IngressTestHost> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null, bool embedded = false, string? dataDirectory = null)
    {
        var jira = WireMockServer.Start();
        jira.Given(Request.Create().WithPath("/rest/api/3/myself").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody($$"""{"accountId":"{{BotAccountId}}","displayName":"Compliance bot"}"""));
        var ownsDataDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("mtc-ingress-").FullName;

        var config = new Dictionary<string, string?>
        {
            ["Webhook:Secret"] = Secret,
            ["Data:Directory"] = dataDirectory,
            ["Jira:BaseUrl"] = jira.Urls[0],
            ["Jira:Email"] = "bot@example.com",
            ["Jira:ApiToken"] = "test-token",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var args = new List<string> { "--urls", "http://127.0.0.1:0" };
        args.AddRange(config.Where(kv => kv.Value is not null).Select(kv => $"--{kv.Key}={kv.Value}"));

        var queue = new FakeWorkQueue();
        var store = new InMemorySettingsStore();
        var logs = new CapturingLoggerProvider();
        var spans = new List<System.Diagnostics.Activity>();
        WebApplication? app = null;
        try
        {
            app = ServiceHost.Build([.. args], ServiceRole.Ingress, builder =>
            {
                if (!embedded)
                {
                    builder.Services.RemoveAll<IWorkQueue>();
                    builder.Services.AddSingleton<IWorkQueue>(queue);
                    builder.Services.RemoveAll<ISettingsStore>();
                    builder.Services.AddSingleton<ISettingsStore>(store);
                }

                builder.Logging.AddProvider(logs);
                builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(spans));
                configure?.Invoke(builder);
            });
            await app.StartAsync();

            // Until the Jira adapter learns the bot from /myself at start-up, tell the ingress directly.
            var bot = app.Services.GetRequiredService<BotIdentity>();
            if (!bot.IsKnown)
            {
                bot.Set(BotAccountId);
            }

            return new IngressTestHost(app, jira, dataDirectory, ownsDataDirectory, queue, store, logs, spans);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            jira.Stop();
            jira.Dispose();
            if (ownsDataDirectory)
            {
                Directory.Delete(dataDirectory, recursive: true);
            }

            throw;
        }
    }

    public static HttpRequestMessage SignedRequest(byte[] body, string? webhookId, string secret = Secret, string contentType = "application/json; charset=UTF-8")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/jira") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Sign(secret, body));
        if (webhookId is not null)
        {
            request.Headers.TryAddWithoutValidation(JiraWebhookHandler.WebhookIdHeader, webhookId);
        }

        return request;
    }

    public Task<HttpResponseMessage> PostSignedAsync(string body, string? webhookId = null) =>
        Client.SendAsync(SignedRequest(Encoding.UTF8.GetBytes(body), webhookId ?? Guid.NewGuid().ToString()));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _jira.Stop();
        _jira.Dispose();
        if (!_ownsDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being released on a loaded machine; the OS temp cleaner takes it.
        }
    }
}
