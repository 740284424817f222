using System.Net;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Traces_metrics_and_logs_go_to_the_OTLP_endpoint_when_it_is_set()
    {
        using var collector = WireMockServer.Start();
        collector.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200));

        await using (var host = await IngressTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls[0],
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }))
        {
            using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated().ToJsonString());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // Disposing the host flushes every exporter.
        var paths = collector.LogEntries.Select(e => e.RequestMessage?.Path).ToHashSet();
        Assert.Contains("/v1/traces", paths);
        Assert.Contains("/v1/metrics", paths);
        Assert.Contains("/v1/logs", paths);
    }
}
