using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class IngressPrivacyTests
{
    [Fact]
    public async Task Summary_and_description_canary_is_in_no_message_log_line_or_span()
    {
        const string summaryCanary = "CANARY-summary-91b2e6";
        const string descriptionCanary = "CANARY-description-4c7d0f";
        await using var host = await IngressTestHost.StartAsync();

        var accepted = WebhookBodies.IssueCreated("MED-7", "10007", summary: $"Insulin {summaryCanary}", description: $"Dose {descriptionCanary}").ToJsonString();
        var ignored = WebhookBodies.IssueCreated("MED-8", "10008", summary: summaryCanary, description: descriptionCanary);
        ignored["webhookEvent"] = "jira:issue_updated";
        var invalid = WebhookBodies.IssueCreated(summary: summaryCanary, description: descriptionCanary);
        invalid["issue"]!.AsObject().Remove("key");

        using (var response = await host.PostSignedAsync(accepted, "privacy-1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var response = await host.PostSignedAsync(ignored.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using (var response = await host.PostSignedAsync(invalid.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await host.PostSignedAsync(accepted[..^5]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        await host.App.StopAsync(); // flushes the exporters

        var message = Assert.Single(host.Queue.Enqueued);
        Assert.Equal("MED-7", message.IssueKey);
        var serialized = JsonSerializer.Serialize(message);
        Assert.DoesNotContain("CANARY", serialized, StringComparison.Ordinal);

        Assert.NotEmpty(host.Logs.Lines);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("CANARY", StringComparison.Ordinal));

        var spans = host.Spans.ToArray();
        Assert.Contains(spans, span => span.OperationName == "webhook enqueue");
        foreach (var span in spans)
        {
            Assert.DoesNotContain("CANARY", span.DisplayName, StringComparison.Ordinal);
            Assert.DoesNotContain("CANARY", span.StatusDescription ?? string.Empty, StringComparison.Ordinal);
            foreach (var (key, value) in span.TagObjects)
            {
                Assert.DoesNotContain("CANARY", $"{key}={value}", StringComparison.Ordinal);
            }

            foreach (var spanEvent in span.Events)
            {
                Assert.DoesNotContain("CANARY", spanEvent.Name, StringComparison.Ordinal);
                foreach (var (key, value) in spanEvent.Tags)
                {
                    Assert.DoesNotContain("CANARY", $"{key}={value}", StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task Canary_is_in_no_file_under_the_data_directory_after_the_embedded_queue_took_the_webhook()
    {
        const string canary = "CANARY-at-rest-e13f55";
        var dataDirectory = Directory.CreateTempSubdirectory("mtc-ingress-privacy-").FullName;
        try
        {
            await using (var host = await IngressTestHost.StartAsync(embedded: true, dataDirectory: dataDirectory))
            {
                using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated(summary: canary, description: canary).ToJsonString());
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var files = Directory.GetFiles(dataDirectory, "*", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            var needle = System.Text.Encoding.UTF8.GetBytes(canary);
            var key = System.Text.Encoding.UTF8.GetBytes("MED-42");
            Assert.Contains(files, file => File.ReadAllBytes(file).AsSpan().IndexOf(key) >= 0);
            Assert.All(files, file => Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(needle) < 0, $"{file} holds the canary"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
