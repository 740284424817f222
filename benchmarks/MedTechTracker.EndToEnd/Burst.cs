using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

/// <summary>
/// A burst of new issues, as a CSV import makes them: every webhook delivered as fast as <see cref="BenchOptions.Connections"/>
/// concurrent deliveries allow, then the time until the simulated Jira holds every sub-task due.
/// </summary>
internal static class Burst
{
    /// <summary>Most issues match one rule (risk analysis); every sixth also adds a dependency (SOUP assessment): 1,166 sub-tasks per 1,000 issues.</summary>
    public static SimulatedIssue Seed(SimulatedJira jira, int i) => i % 6 == 5
        ? jira.AddIssue("MED", $"Pump log export {i}", "Update the risk analysis for the pump; add a new dependency.")
        : jira.AddIssue("MED", $"Pump log export {i}", "Update the risk analysis for the pump.");

    public static async Task<bool> RunAsync(SimulatedJira jira, ServeHost host, SubtaskLedger ledger, IReadOnlyList<SimulatedIssue> issues, BenchOptions options)
    {
        var culture = CultureInfo.InvariantCulture;
        var due = ledger.DueCount(issues);
        Console.WriteLine($"burst: {issues.Count} issues, {due} sub-tasks due, {options.Connections} concurrent deliveries");
        var callsBefore = RunInfo.Calls(jira);
        var (throttledBefore, quotaBefore, perIssueBefore) = (jira.ThrottledAnswers, jira.QuotaRefusals, jira.PerIssueRefusals);
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(issues, new ParallelOptions { MaxDegreeOfParallelism = options.Connections }, async (issue, _) =>
        {
            var status = await host.SendCreatedAsync(issue);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        });
        var accepted = clock.Elapsed;
        Console.WriteLine(string.Create(culture, $"  every webhook answered after {accepted.TotalSeconds:F2} s ({issues.Count / accepted.TotalSeconds:F0}/s): HTTP {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}"));

        var pending = await ledger.WaitForAllAsync(issues, options.DrainTimeout, left =>
            Console.WriteLine(string.Create(culture, $"  {clock.Elapsed.TotalSeconds:F0} s: {issues.Count - left}/{issues.Count} issues have their sub-tasks; Jira calls so far {RunInfo.CallsSince(jira, callsBefore)}; load {RunInfo.LoadAverage()}")));
        var drained = clock.Elapsed;

        // Anything written after the drain (a late retry, a second plan of one issue) would show as a duplicate or surplus.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var tally = ledger.Tally(issues);
        var throttled = jira.ThrottledAnswers - throttledBefore;
        Console.WriteLine(pending.Count == 0
            ? string.Create(culture, $"  drained: every issue has its sub-tasks {drained.TotalSeconds:F2} s after the first webhook ({tally.Due / drained.TotalSeconds:F1} sub-tasks/s, {issues.Count / drained.TotalSeconds:F1} issues/s)")
            : string.Create(culture, $"  NOT drained after {drained.TotalSeconds:F0} s: {pending.Count} issues still short of their sub-tasks (e.g. {string.Join(", ", pending.Take(5).Select(i => i.Key))})"));
        Console.WriteLine($"  sub-tasks: created {tally.Created}, due {tally.Due}, missing {tally.Missing}, surplus {tally.Surplus}, parents with a duplicate {tally.DuplicatedParents}");
        Console.WriteLine($"  Jira calls by kind: {RunInfo.CallsSince(jira, callsBefore)}");
        Console.WriteLine(string.Create(culture, $"  Jira calls per issue {(RunInfo.Calls(jira).Sum(c => c.Value) - callsBefore.Sum(c => c.Value)) / (double)issues.Count:F2}, at most {jira.PeakConcurrentCalls} in flight at once (whole run)"));
        Console.WriteLine($"  429s answered: {throttled} tenant rate limit (of which quota {jira.QuotaRefusals - quotaBefore}), {jira.PerIssueRefusals - perIssueBefore} per-issue write limit");
        return statuses.Keys.All(s => s == 202) && pending.Count == 0 && tally.Missing == 0 && tally.DuplicatedParents == 0 && tally.Surplus == 0;
    }
}
