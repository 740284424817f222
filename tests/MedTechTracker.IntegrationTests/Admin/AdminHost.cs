using MedTechTracker.Admin;
using MedTechTracker.Hosting;
using MedTechTracker.IntegrationTests.Backfill;
using MedTechTracker.IntegrationTests.Ingress;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>The real service (<c>serve</c>) on 127.0.0.1 with a free port, against <see cref="JiraStub"/>, with one admin key.</summary>
public sealed class AdminHost : IAsyncDisposable
{
    public const string AdminKey = "correct horse battery staple admin key";
    public const string AdminName = "alice";

    private AdminHost(WebApplication app, BackfillHarness harness, CapturingLoggerProvider logs)
    {
        App = app;
        Logs = logs;
        Harness = harness;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public WebApplication App { get; }

    public CapturingLoggerProvider Logs { get; }

    public BackfillHarness Harness { get; }

    public JiraStub Jira => Harness.Jira;

    public Uri BaseAddress { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Starts the service; <paramref name="overrides"/> win (null removes a setting, e.g. the admin key).</summary>
    public static async Task<AdminHost> StartAsync(BackfillHarness harness, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = harness.Settings(pageSize: 50);
        settings["Admin:Keys:" + AdminName] = AdminKeys.Hash(AdminKey);
        settings["Webhook:Secret"] = "integration-test-webhook-secret";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        var logs = new CapturingLoggerProvider();
        var app = ServiceHost.Build(["--urls", "http://127.0.0.1:0"], ServiceRole.Serve, builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync();
        return new AdminHost(app, harness, logs);
    }

    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
