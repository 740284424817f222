using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.IntegrationTests.Jira;

/// <summary>A <see cref="FakeTimeProvider"/> that also records the due time of every timer created (delays and time-outs).</summary>
internal sealed class RecordingTimeProvider(FakeTimeProvider fake) : TimeProvider
{
    public ConcurrentQueue<TimeSpan> TimerDueTimes { get; } = new();

    public FakeTimeProvider Fake { get; } = fake;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TimerDueTimes.Enqueue(dueTime);
        return Fake.CreateTimer(callback, state, dueTime, period);
    }
}
