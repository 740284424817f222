using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>Every log line (message, structured values, exception) and every span (name, tags, events, status) of a test.</summary>
internal sealed class CapturedTelemetry : ILoggerProvider, IDisposable
{
    private readonly ConcurrentQueue<string> _logs = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _listener;

    public CapturedTelemetry()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<string> Logs => _logs;

    public IReadOnlyCollection<string> Spans => _spans;

    /// <summary>The stopped activities themselves, for trace-shape assertions.</summary>
    public IReadOnlyCollection<Activity> Activities => _activities;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _logs);

    public void Dispose() => _listener.Dispose();

    private void Record(Activity activity)
    {
        _activities.Enqueue(activity);
        var parts = new List<string> { activity.OperationName, activity.DisplayName, activity.StatusDescription ?? "" };
        parts.AddRange(activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        parts.AddRange(activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")));
        parts.AddRange(activity.Baggage.Select(b => $"{b.Key}={b.Value}"));
        _spans.Enqueue(string.Join(" | ", parts));
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            sink.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
