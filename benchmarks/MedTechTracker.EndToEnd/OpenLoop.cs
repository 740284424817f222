using System.Collections.Concurrent;
using System.Diagnostics;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

/// <summary>
/// Open-loop load: webhooks sent on a fixed schedule whatever the service does, and each issue's latency counted from
/// its scheduled send time (so a late sender cannot hide queueing delay) to the first bulk create that holds it.
/// </summary>
internal sealed class OpenLoop
{
    private readonly ConcurrentDictionary<string, long> _scheduled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _latencyMs = new(StringComparer.Ordinal);
    private readonly ServeHost _host;

    public OpenLoop(SimulatedJira jira, ServeHost host)
    {
        _host = host;
        jira.OnBulkCreate = parents =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var parent in parents.Distinct())
            {
                if (_scheduled.TryGetValue(parent, out var sent))
                {
                    _latencyMs.TryAdd(parent, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                }
            }
        };
    }

    /// <summary>
    /// Sends one webhook per issue at <paramref name="rate"/>/s, waits up to <paramref name="drainTimeout"/> after the last
    /// one for every issue to reach a bulk create, and returns the latencies of the issues from <paramref name="measuredFrom"/> on.
    /// </summary>
    public async Task<OpenLoopResult> RunAsync(IReadOnlyList<SimulatedIssue> issues, int rate, int measuredFrom, TimeSpan drainTimeout)
    {
        var statuses = new ConcurrentDictionary<int, int>();
        var sends = new List<Task>(issues.Count);
        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();
        var maxSendLag = TimeSpan.Zero;
        for (var i = 0; i < issues.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            else if (-wait > maxSendLag)
            {
                maxSendLag = -wait;
            }

            _scheduled[issues[i].Key] = origin + (long)(due.TotalSeconds * Stopwatch.Frequency);
            sends.Add(SendAsync(issues[i], statuses));
        }

        var sendSpan = clock.Elapsed;
        await Task.WhenAll(sends);
        var deadline = DateTime.UtcNow + drainTimeout;
        while (issues.Any(i => !_latencyMs.ContainsKey(i.Key)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var measured = issues.Skip(measuredFrom).Select(i => i.Key).ToList();
        var values = measured.Where(_latencyMs.ContainsKey).Select(k => _latencyMs[k]).Order().ToArray();
        return new OpenLoopResult(rate, measured.Count, values, new SortedDictionary<int, int>(statuses), sendSpan, maxSendLag);
    }

    private async Task SendAsync(SimulatedIssue issue, ConcurrentDictionary<int, int> statuses)
    {
        var status = await _host.SendCreatedAsync(issue);
        statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
    }
}

/// <summary>One open-loop run: <see cref="LatenciesMs"/> sorted, one per measured issue that reached a bulk create.</summary>
internal sealed record OpenLoopResult(int Rate, int Measured, double[] LatenciesMs, SortedDictionary<int, int> Statuses, TimeSpan SendSpan, TimeSpan MaxSendLag)
{
    public int Missing => Measured - LatenciesMs.Length;

    public double Percentile(double p) =>
        LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Clamp((int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];

    public string StatusText => string.Join(", ", Statuses.Select(s => $"{s.Key}×{s.Value}"));
}
