using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using MedTechTracker.Telemetry;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class WebhookMetricsTests
{
    [Fact]
    public async Task Webhooks_are_counted_by_outcome()
    {
        var counted = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // By name: the instrument may be published from inside TrackerTelemetry's type initializer, before its field is set.
                if (instrument.Meter.Name == TrackerTelemetry.Name && instrument.Name == "mtc.webhooks")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    counted.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
                }
            }
        });
        listener.Start();
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated().ToJsonString();

        (await host.PostSignedAsync(body, "m-1")).Dispose();
        (await host.PostSignedAsync(body, "m-1-replayed")).Dispose();
        (await host.Client.SendAsync(IngressTestHost.SignedRequest(Encoding.UTF8.GetBytes(body), "m-2", "wrong"))).Dispose();
        (await host.PostSignedAsync("{", "m-3")).Dispose();
        host.Queue.FailWith = new IOException("down");
        using var unavailable = await host.PostSignedAsync(WebhookBodies.IssueCreated("MED-99", "10099").ToJsonString(), "m-4");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);

        // Other tests run in parallel and add to the same static counter, so these are lower bounds.
        Assert.True(counted.GetValueOrDefault("accepted") >= 1);
        Assert.True(counted.GetValueOrDefault("replay") >= 1);
        Assert.True(counted.GetValueOrDefault("unauthorized") >= 1);
        Assert.True(counted.GetValueOrDefault("invalid") >= 1);
        Assert.True(counted.GetValueOrDefault("unavailable") >= 1);
    }
}
