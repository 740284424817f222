using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class QueueGaugeTests
{
    [Fact]
    public async Task Queue_depth_and_oldest_message_age_are_observable_gauges()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        await using var host = await IngressTestHost.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        for (var n = 1; n <= 3; n++)
        {
            using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated($"MED-{n}", $"1000{n}", timestamp: clock.GetUtcNow()).ToJsonString());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(90));
        var meterFactory = host.App.Services.GetRequiredService<IMeterFactory>();
        var observed = new Dictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Only this host's gauges: other tests' hosts publish instruments with the same names.
                if (instrument.Meter.Scope == meterFactory && instrument.Name.StartsWith("mtc.queue.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => observed[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => observed[instrument.Name] = value);
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Equal(3, observed["mtc.queue.depth"]);
        Assert.Equal(0, observed["mtc.queue.deadletter.depth"]);
        Assert.Equal(90, observed["mtc.queue.oldest.age"]);
    }
}
