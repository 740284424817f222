using System.Net;
using System.Text.Json;
using MedTechTracker.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.Ingress;

/// <summary>The ingress on the real embedded SQLite queue and store.</summary>
public sealed class IngressEmbeddedQueueTests
{
    [Fact]
    public async Task Accepted_webhook_is_durable_in_the_queue_file_and_survives_a_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("mtc-ingress-durable-").FullName;
        try
        {
            await using (var ingress = await IngressTestHost.StartAsync(embedded: true, dataDirectory: dataDirectory))
            {
                using var response = await ingress.PostSignedAsync(WebhookBodies.IssueCreated("MED-9", "10009").ToJsonString(), "durable-1");
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            await using var restarted = await IngressTestHost.StartAsync(embedded: true, dataDirectory: dataDirectory);
            var queue = restarted.App.Services.GetRequiredService<IWorkQueue>();
            var leased = await queue.ReceiveAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

            Assert.NotNull(leased);
            Assert.Equal(("durable-1", "10009", "MED-9", "MED"), (leased.Message.MessageId, leased.Message.IssueId, leased.Message.IssueKey, leased.Message.ProjectKey));
            Assert.NotNull(leased.Message.TraceParent);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Same_webhook_delivered_three_times_is_stored_once()
    {
        await using var host = await IngressTestHost.StartAsync(embedded: true);
        var body = WebhookBodies.IssueCreated().ToJsonString();

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.PostSignedAsync(body, "redelivered");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var statistics = await host.App.Services.GetRequiredService<IWorkQueue>().GetStatisticsAsync(CancellationToken.None);
        Assert.Equal(1, statistics.ActiveCount);
    }

    [Fact]
    public async Task Concurrent_webhooks_are_all_stored()
    {
        await using var host = await IngressTestHost.StartAsync(embedded: true);

        var responses = await Task.WhenAll(Enumerable.Range(1, 200).Select(async n =>
        {
            using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated($"MED-{n}", (10000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToJsonString(), $"concurrent-{n}");
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.Accepted, status));
        var statistics = await host.App.Services.GetRequiredService<IWorkQueue>().GetStatisticsAsync(CancellationToken.None);
        Assert.Equal(200, statistics.ActiveCount);
    }

    [Fact]
    public async Task Readyz_is_healthy_with_the_embedded_queue_and_store()
    {
        await using var host = await IngressTestHost.StartAsync(embedded: true);

        using var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var implementations = report.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.TryGetProperty("data", out var data) && data.TryGetProperty("implementation", out _))
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("data").GetProperty("implementation").GetString());
        Assert.Equal("SqliteWorkQueue", implementations["queue"]);
        Assert.Equal("SqliteSettingsStore", implementations["store"]);
    }
}
