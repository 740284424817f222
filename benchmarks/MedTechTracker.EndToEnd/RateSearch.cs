using System.Globalization;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

/// <summary>
/// The sustained rate: open-loop steps at rising rates against one <c>serve</c> (the same process and queue throughout,
/// each step starting once the previous one has drained), each with its own warm-up. A step passes when every webhook
/// was accepted, every issue got its sub-tasks and no parent a duplicate, and p99 ≤ 200 ms; the search stops at the
/// first step that fails, since the backlog of an overloaded step would only spill into the next one.
/// </summary>
internal static class RateSearch
{
    public const double P99LimitMs = 200;

    public static async Task<bool> RunAsync(SimulatedJira jira, SubtaskLedger ledger, OpenLoop load, BenchOptions options, Func<int, SimulatedIssue> seed)
    {
        var culture = CultureInfo.InvariantCulture;
        var steps = new List<(OpenLoopResult Result, SubtaskTally Tally, bool Passed)>();
        var seeded = 0;
        Console.WriteLine($"search: rates {string.Join(", ", options.Rates)}/s, each {options.Warmup} s warm-up + {options.Seconds} s measured; pass: p99 ≤ {P99LimitMs} ms, nothing missing");
        foreach (var rate in options.Rates)
        {
            var issues = Enumerable.Range(seeded, (options.Warmup + options.Seconds) * rate).Select(seed).ToList();
            seeded += issues.Count;
            await ledger.AddAsync(issues);
            var callsBefore = RunInfo.Calls(jira);
            var throttledBefore = jira.ThrottledAnswers;

            var result = await load.RunAsync(issues, rate, options.Warmup * rate, options.DrainTimeout);
            await ledger.WaitForAllAsync(issues, TimeSpan.FromSeconds(5));
            var tally = ledger.Tally(issues);
            var passed = result.Missing == 0 && tally.Missing == 0 && tally.DuplicatedParents == 0
                && result.Statuses.Keys.All(s => s == 202) && result.Percentile(99) <= P99LimitMs;
            steps.Add((result, tally, passed));
            Console.WriteLine(string.Create(culture,
                $"  {rate,5}/s: {(passed ? "pass" : "FAIL")}  p50 {result.Percentile(50),7:F1}  p90 {result.Percentile(90),7:F1}  p99 {result.Percentile(99),7:F1}  max {(result.LatenciesMs.Length > 0 ? result.LatenciesMs[^1] : double.NaN),7:F1} ms;  "
                + $"measured {result.Measured}, no bulk create {result.Missing}; sub-tasks {tally.Created}/{tally.Due}, duplicates {tally.DuplicatedParents}; HTTP {result.StatusText}; "
                + $"sent in {result.SendSpan.TotalSeconds:F1} s (sender late by ≤ {result.MaxSendLag.TotalMilliseconds:F0} ms); 429s {jira.ThrottledAnswers - throttledBefore}; load {RunInfo.LoadAverage()}"));
            Console.WriteLine($"         Jira calls: {RunInfo.CallsSince(jira, callsBefore)}");
            if (!passed)
            {
                break;
            }
        }

        var best = steps.Where(s => s.Passed).Select(s => s.Result.Rate).DefaultIfEmpty(0).Max();
        Console.WriteLine(best > 0
            ? $"sustained rate: {best} webhooks/s (the highest step with p99 ≤ {P99LimitMs} ms and nothing missing{(steps.All(s => s.Passed) ? "; every step passed, so the limit is above it" : "")})"
            : $"sustained rate: none of the steps passed (p99 ≤ {P99LimitMs} ms and nothing missing)");
        return best > 0;
    }
}
