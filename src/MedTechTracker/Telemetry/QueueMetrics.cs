using System.Diagnostics.Metrics;
using MedTechTracker.Queue;

namespace MedTechTracker.Telemetry;

/// <summary>Observable gauges for queue depth, dead letters and the age of the oldest message, on the "MedTechTracker" meter.</summary>
internal sealed class QueueMetrics(IServiceProvider services, IMeterFactory meterFactory, TimeProvider timeProvider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IWorkQueue>() is null)
        {
            return Task.CompletedTask;
        }

        var cache = services.GetRequiredService<QueueStatisticsCache>();
        var meter = meterFactory.Create(TrackerTelemetry.Name);
        meter.CreateObservableGauge("mtc.queue.depth", () => Observe(cache.Get()?.ActiveCount), description: "Messages waiting or in progress on the work queue.");
        meter.CreateObservableGauge("mtc.queue.deadletter.depth", () => Observe(cache.Get()?.DeadLetterCount), description: "Messages in the dead-letter queue.");
        meter.CreateObservableGauge(
            "mtc.queue.oldest.age",
            () => cache.Get() is { } s ? Observe(s.OldestEnqueuedAt is { } oldest ? Math.Max(0, (timeProvider.GetUtcNow() - oldest).TotalSeconds) : 0d) : [],
            unit: "s",
            description: "Age of the oldest message on the work queue.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A negative count means the adapter cannot count (AMQP brokers): report nothing rather than a wrong number.
    private static IEnumerable<Measurement<long>> Observe(long? value) => value is { } v && v >= 0 ? [new Measurement<long>(v)] : [];

    private static IEnumerable<Measurement<double>> Observe(double value) => [new Measurement<double>(value)];
}
