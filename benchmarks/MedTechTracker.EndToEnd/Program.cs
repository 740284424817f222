// End to end: signed webhook sent → sub-tasks created in a simulated Jira, through a real `serve` child process
// (ingress + SQLite queue + worker). Also samples the child's resident memory from /proc/<pid>/status (VmRSS while
// loaded, VmHWM at the end), and prints the commit and the load average (/proc/loadavg) at start and end.
//
// Build: dotnet build benchmarks/MedTechTracker.EndToEnd -c Release; run from the repository root (config/rules.json):
//   dotnet benchmarks/MedTechTracker.EndToEnd/bin/Release/net10.0/MedTechTracker.EndToEnd.dll [mode] [options]
//
// Modes:
//   (default)     open loop at a fixed rate: --rate R (50) --seconds S (30) --warmup W (5); latency from each webhook's
//                 scheduled send time to the bulk create that holds its issue: p50/p90/p99/max.
//   --search      the sustained rate: open-loop steps --rates 100,200,400,700,1000,1400,2000 (default), each --warmup W (5)
//                 + --seconds S (10) against the same serve; per step p50/p90/p99 and calls; stops at the first step
//                 that fails; reports the highest rate whose p99 ≤ 200 ms with every sub-task created.
//   --burst N     N new issues at once (a CSV import): every webhook sent with --connections C (64) in flight, then the
//                 time until all were accepted, the time until every sub-task due exists (drain; --drain-timeout, 600 s),
//                 sub-tasks created/due/duplicated, Jira calls by kind and 429s. Most issues match one rule and every
//                 sixth two (1,166 sub-tasks per 1,000 issues); what is due is asked of the service's own `explain`.
//                 The reference scenario: --burst 1000 --jira-latency-ms 150.
//
// Options of every mode:
//   --jira-latency-ms N            the simulated Jira answers every API call after N ms (concurrent calls overlap)
//   --jira-max-calls-per-second N  the tenant quota: more calls within one second are answered 429 (Retry-After: 1)
//   --drain-timeout S              how long to wait for the service to catch up after the last webhook (60 s; burst 600 s)
//   --set:Section__Key=value       configuration of the serve child, e.g. --set:Worker__Concurrency=16
//
// Exit code 0 when the run met its bar (default: every measured issue reached a bulk create; search: some step passed;
// burst: every webhook 202, every sub-task created, no duplicate), else 1.
using System.Globalization;
using MedTechTracker.EndToEnd;
using MedTechTracker.Samples.JiraSimulator;

var options = BenchOptions.Parse(args);
var culture = CultureInfo.InvariantCulture;
Console.WriteLine($"end to end, {options.Mode}: commit {RunInfo.Commit()}, {Environment.ProcessorCount} CPUs, load average at start {RunInfo.LoadAverage()}");
Console.WriteLine($"simulated Jira: {options.JiraLatencyMs} ms per call, quota {(options.JiraMaxCallsPerSecond > 0 ? $"{options.JiraMaxCallsPerSecond} calls/s" : "none")}"
    + $"; serve settings: {(options.Settings.Count == 0 ? "defaults" : string.Join(", ", options.Settings.Select(s => $"{s.Key}={s.Value}")))}");

using var jira = SimulatedJira.Start();
jira.Latency = TimeSpan.FromMilliseconds(options.JiraLatencyMs);
jira.MaxCallsPerSecond = options.JiraMaxCallsPerSecond;
jira.AddProject("MED", "Infusion pump");

await using var host = new ServeHost(jira, options.Settings);
var ledger = new SubtaskLedger(jira, host);
var load = new OpenLoop(jira, host);

// The open-loop modes' issue: two rules fire (risk analysis, risk control), both sub-tasks go in one bulk create.
SimulatedIssue Alarm(int i) => jira.AddIssue("MED", $"Alarm volume change {i}", "The new alarm tone may be a hazard for patients: update the risk analysis.");

IReadOnlyList<SimulatedIssue> seeded = options switch
{
    { Burst: { } n } => [.. Enumerable.Range(0, n).Select(i => Burst.Seed(jira, i))],
    { Search: true } => [],
    _ => [.. Enumerable.Range(0, (options.Warmup + options.Seconds) * options.Rate).Select(Alarm)],
};
await ledger.AddAsync(seeded);
await host.RunAsync("projects", "enable", "MED");
await host.StartServeAsync();
var wall = System.Diagnostics.Stopwatch.StartNew();
var serveCpuAtStart = host.CpuTime;
var ownCpuAtStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

var ok = options switch
{
    { Burst: not null } => await Burst.RunAsync(jira, host, ledger, seeded, options),
    { Search: true } => await RateSearch.RunAsync(jira, ledger, load, options, Alarm),
    _ => await OpenLoopOnceAsync(),
};

Console.WriteLine($"Jira calls by kind, whole run: {RunInfo.CallsSince(jira, RunInfo.NoCalls)}; "
    + $"429s answered {jira.ThrottledAnswers} (quota {jira.QuotaRefusals}), at most {jira.PeakConcurrentCalls} calls in flight");
Console.WriteLine(string.Create(culture, $"serve resident memory: peak VmRSS under load {host.PeakRssKb / 1024.0:F1} MB, VmHWM {host.HighWaterKb / 1024.0:F1} MB"));
var serveCpu = host.CpuTime - serveCpuAtStart;
var ownCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - ownCpuAtStart;
Console.WriteLine(string.Create(culture, $"CPU over {wall.Elapsed.TotalSeconds:F1} s: serve {serveCpu.TotalSeconds:F1} s ({serveCpu.TotalMilliseconds / Math.Max(1, jira.Calls(JiraOperation.GetIssue)):F2} ms per issue read), "
    + $"this process (webhook sender + simulated Jira) {ownCpu.TotalSeconds:F1} s, of {Environment.ProcessorCount * wall.Elapsed.TotalSeconds:F1} s available"));
Console.WriteLine($"load average at end {RunInfo.LoadAverage()}");
return ok ? 0 : 1;

async Task<bool> OpenLoopOnceAsync()
{
    Console.WriteLine($"serve pid {host.Pid}: {options.Rate} webhooks/s for {options.Warmup} s warm-up + {options.Seconds} s measured ({seeded.Count} issues)");
    var result = await load.RunAsync(seeded, options.Rate, options.Warmup * options.Rate, options.DrainTimeout);
    await ledger.WaitForAllAsync(seeded, TimeSpan.FromSeconds(5));
    var tally = ledger.Tally(seeded);
    Console.WriteLine($"HTTP statuses: {result.StatusText}");
    Console.WriteLine($"measured webhooks: {result.Measured}, bulk creates seen: {result.LatenciesMs.Length}, missing: {result.Missing}");
    if (result.LatenciesMs.Length > 0)
    {
        Console.WriteLine(string.Create(culture, $"webhook → bulk-create latency ms: p50 {result.Percentile(50):F1}  p90 {result.Percentile(90):F1}  p99 {result.Percentile(99):F1}  max {result.LatenciesMs[^1]:F1}"));
    }

    Console.WriteLine($"sub-tasks (warm-up included): created {tally.Created}, due {tally.Due}, missing {tally.Missing}, parents with a duplicate {tally.DuplicatedParents}");
    return result.Missing == 0;
}
