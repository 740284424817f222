using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MedTechTracker.Queue;
using MedTechTracker.Rules.Model;
using MedTechTracker.Samples.JiraSimulator;
using MedTechTracker.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>The real service host (ServiceHost.Build) on a free loopback port.</summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private readonly PipelineEnvironment _environment;

    public PipelineHost(WebApplication app, PipelineEnvironment environment)
    {
        App = app;
        _environment = environment;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public Task EnableAsync(string projectKey, ProjectMode mode = ProjectMode.On, SafetyClass safetyClass = SafetyClass.C) =>
        App.Services.GetRequiredService<ISettingsStore>().SaveAsync(new ProjectSettings(projectKey, mode, safetyClass, DateTimeOffset.UtcNow, "test"), CancellationToken.None);

    public async Task<int> SendAsync(byte[] body, string webhookId, string? secret = null)
    {
        using var response = await WebhookSender.SendAsync(Http, new Uri("/webhooks/jira", UriKind.Relative), body, secret ?? _environment.Secret, webhookId, CancellationToken.None);
        return (int)response.StatusCode;
    }

    public async Task<bool> QueueIsEmptyAsync() =>
        (await App.Services.GetRequiredService<IWorkQueue>().GetStatisticsAsync(CancellationToken.None)).ActiveCount == 0;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
    }
}
