using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MedTechTracker.Telemetry;

/// <summary>
/// The one ActivitySource and the one Meter, both named "MedTechTracker", and every instrument.
/// Tags carry issue keys, rule ids, outcomes and status codes only: never issue text.
/// </summary>
public static class TrackerTelemetry
{
    public const string Name = "MedTechTracker";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Tag "outcome": accepted, duplicate, ignored, unauthorized, invalid, too_large, unsupported_media_type, unavailable.</summary>
    public static readonly Counter<long> Webhooks = Meter.CreateCounter<long>("mtc.webhooks", description: "Webhooks received, by outcome.");

    public static readonly Counter<long> IssuesEvaluated = Meter.CreateCounter<long>("mtc.issues.evaluated", description: "Issues whose rules were evaluated, by mode (live/backfill) and project mode.");

    /// <summary>Tag "rule": the rule id.</summary>
    public static readonly Counter<long> RulesFired = Meter.CreateCounter<long>("mtc.rules.fired", description: "Rules fired, by rule id.");

    public static readonly Counter<long> SubtasksCreated = Meter.CreateCounter<long>("mtc.subtasks.created", description: "Compliance sub-tasks created in Jira.");

    public static readonly Counter<long> SubtasksPlannedInShadow = Meter.CreateCounter<long>("mtc.subtasks.shadow", description: "Sub-tasks a Shadow project would have received.");

    /// <summary>Tags "operation" and "status" (HTTP status code or "exception").</summary>
    private static Func<Jira.JiraRateState>? s_jiraRate;
    private static int s_jiraGauges;

    /// <summary>The rate governor of the process (the latest one, in tests that build several hosts) feeds two gauges.</summary>
    public static void ObserveJiraRate(Func<Jira.JiraRateState> state)
    {
        s_jiraRate = state;
        if (Interlocked.Exchange(ref s_jiraGauges, 1) == 0)
        {
            Meter.CreateObservableGauge("mtc.jira.paused", () => s_jiraRate?.Invoke().PausedUntil is null ? 0 : 1, description: "1 while Jira's rate window is closed (no calls are sent).");
            Meter.CreateObservableGauge("mtc.jira.concurrency", () => s_jiraRate?.Invoke().ConcurrencyLimit ?? 0, description: "Concurrent Jira calls the rate governor currently allows (AIMD).");
        }
    }

    public static readonly Counter<long> JiraThrottled = Meter.CreateCounter<long>("mtc.jira.throttled", description: "Jira answers that closed the rate window (429, or 503 with Retry-After), by RateLimit-Reason.");

    public static readonly Counter<long> JiraCalls = Meter.CreateCounter<long>("mtc.jira.calls", description: "Jira REST calls, by operation and status.");

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("mtc.queue.deadlettered", description: "Messages dead-lettered.");

    public static readonly Histogram<double> ProcessingDuration = Meter.CreateHistogram<double>("mtc.worker.duration", unit: "ms", description: "Time to process one queue message.");
}
