using System.Diagnostics;
using System.Globalization;
using MedTechTracker.Backfill;
using MedTechTracker.Jira;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.Benchmarks.Backfill;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- backfill [ISSUES] [PAGE_SIZE]</c>:
/// the real backfill stack (runner, Refit client with its resilience pipeline, SQLite checkpoints) against
/// <see cref="ZeroLatencyJira"/> with throttling off. Prints issues/s and Jira calls per 1,000 issues next to the bound
/// ⌈1000/page⌉ + ⌈created/50⌉ + 2 (the count and the sub-task type lookup).
/// </summary>
public static class BackfillLoad
{
    private static readonly string[] Phrases =
    [
        "add unit tests for the infusion pump driver",
        "risk analysis of the alarm thresholds",
        "update the SBOM after the library upgrade",
        "rename a variable",
        "fix the usability of the settings screen and a vulnerability in login",
        "tidy the build output",
        "integration testing of the dose calculator",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var issues = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var pageSize = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        var data = Directory.CreateTempSubdirectory("mtc-backfill-bench-").FullName;
        try
        {
            var rulesPath = RulesFile.Resolve("config/rules.json");
            var rules = new MedTechTracker.Rules.Matching.CompiledRuleSet(MedTechTracker.Rules.Loading.RuleSetLoader.LoadFile(rulesPath));
            (string, string, IReadOnlyList<string>) Issue(int i)
            {
                var summary = Phrases[i % Phrases.Length];
                var type = i % 9 == 0 ? "Bug" : "Story";
                IReadOnlyList<string> existing = i % 4 == 0
                    ? [.. Planner.Plan(rules, new IssueSnapshot { Key = $"MED-{i}", Summary = summary, IssueType = type }, SafetyClass.C).ToCreate.Take(1).Select(s => s.Summary)]
                    : [];
                return (summary, type, existing);
            }

            await using var jira = new ZeroLatencyJira(issues, pageSize, Issue);
            await jira.StartAsync();

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Data:Directory"] = data,
                ["Jira:BaseUrl"] = jira.BaseUrl,
                ["Jira:Email"] = "bench@example.com",
                ["Jira:ApiToken"] = "bench",
                ["Rules:Path"] = rulesPath,
                ["Backfill:RequestsPerSecond"] = "0",
                ["Backfill:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
            });
            builder.AddRules();
            builder.AddStorage();
            builder.AddJira();
            builder.AddBackfillServices();
            using var host = builder.Build();
            var services = host.Services;
            await services.GetRequiredService<ISettingsStore>().SaveAsync(new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, DateTimeOffset.UtcNow), CancellationToken.None);

            // Warm-up: JIT, connection pool, SQLite.
            await RunOnceAsync(services, dryRun: true);
            var dryClock = Stopwatch.StartNew();
            await RunOnceAsync(services, dryRun: true);
            dryClock.Stop();

            var before = (jira.SearchCalls, jira.BulkCalls, jira.OtherCalls);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var job = await RunOnceAsync(services, dryRun: false);
            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            var calls = jira.SearchCalls - before.SearchCalls + jira.BulkCalls - before.BulkCalls + jira.OtherCalls - before.OtherCalls;
            var per1000 = calls * 1000.0 / issues;
            var createdPer1000 = job.Counters.Created * 1000.0 / issues;
            var bound = Math.Ceiling(1000.0 / pageSize) + Math.Ceiling(createdPer1000 / 50) + 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"issues={issues} pageSize={pageSize} status={job.Status} scanned={job.Counters.Scanned} created={job.Counters.Created} alreadyPresent={job.Counters.AlreadyPresent}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"elapsed={clock.Elapsed.TotalSeconds:0.00}s throughput={issues / clock.Elapsed.TotalSeconds:0} issues/s (dry run, no bulk create: {issues / dryClock.Elapsed.TotalSeconds:0} issues/s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu={cpu.TotalSeconds:0.00}s (backfill and stub together) => {issues / cpu.TotalSeconds:0} issues per CPU-second; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"jiraCalls={calls} (search {jira.SearchCalls - before.SearchCalls}, bulk {jira.BulkCalls - before.BulkCalls}, other {jira.OtherCalls - before.OtherCalls}) perThousandIssues={per1000:0.0} bound={bound:0.0}"));
            return job.Status == BackfillStatus.Completed && per1000 <= bound ? 0 : 1;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<BackfillJob> RunOnceAsync(IServiceProvider services, bool dryRun)
    {
        var start = await services.GetRequiredService<BackfillJobs>().StartAsync(new BackfillRequest("MED", DryRun: dryRun), "bench", CancellationToken.None);
        var runner = services.GetRequiredService<BackfillRunner>();
        var claimed = await runner.TryClaimAsync(start.Job!.Id, CancellationToken.None) ?? throw new InvalidOperationException(start.Error ?? "not claimed");
        return await runner.RunAsync(claimed, CancellationToken.None);
    }
}
