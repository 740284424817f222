using System.CommandLine;
using System.Globalization;
using MedTechTracker.Backfill;
using MedTechTracker.Jira;
using MedTechTracker.Rules;
using MedTechTracker.Storage;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>backfill start|status|cancel|resume</c> on the same data directory as the service.
/// <c>start</c> and <c>resume</c> only queue the job: the hosted runner inside <c>serve</c>/<c>worker</c> executes it.
/// With <c>--wait</c> the job runs in this process instead (unless a service already claimed it, in which case
/// this process only watches), so a backfill needs no running service; Ctrl+C hands it back to the queue.
/// Exit codes: 0 done (or queued), 1 refused or the job failed/was cancelled, 2 invalid input.
/// </summary>
public static class BackfillCommands
{
    public const int Refused = 1;
    public const int InvalidInput = 2;

    public static Command Create()
    {
        var command = new Command("backfill", "Apply the rules to existing issues: start, watch, cancel and resume backfill jobs.")
        {
            StartCommand(),
            StatusCommand(),
            CancelCommand(),
            ResumeCommand(),
        };
        return command;
    }

    private static Command StartCommand()
    {
        var project = new Option<string>("--project") { Description = "The Jira project key.", Required = true };
        var jql = new Option<string?>("--jql") { Description = "An extra JQL filter, ANDed in parentheses (it cannot reach another project)." };
        var createdAfter = new Option<string?>("--created-after") { Description = "Only issues created on or after this UTC date/time (yyyy-MM-dd[ HH:mm])." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be created; write nothing to Jira." };
        var wait = WaitOption();
        var command = new Command("start", "Queue a backfill of a project (a real run needs the project On).") { project, jql, createdAfter, dryRun, wait };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            DateTimeOffset? after = null;
            if (parseResult.GetValue(createdAfter) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    await Console.Error.WriteLineAsync($"--created-after: '{text}' is not a date (use yyyy-MM-dd or yyyy-MM-dd HH:mm, UTC).").ConfigureAwait(false);
                    return InvalidInput;
                }

                after = parsed;
            }

            return await WithHostAsync(async services =>
            {
                var jobs = services.GetRequiredService<BackfillJobs>();
                var result = await jobs.StartAsync(
                    new BackfillRequest(parseResult.GetValue(project)!, parseResult.GetValue(jql), after, parseResult.GetValue(dryRun)),
                    Actor(),
                    cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    await Console.Error.WriteLineAsync(result.Error).ConfigureAwait(false);
                    return result.ErrorKind == BackfillErrorKind.Invalid ? InvalidInput : Refused;
                }

                Console.WriteLine($"Queued backfill {result.Job!.Id} of {result.Job.ProjectKey}{(result.Job.DryRun ? " (dry run)" : "")}.");
                return parseResult.GetValue(wait) ? await RunOrWatchAsync(services, result.Job.Id, cancellationToken).ConfigureAwait(false) : 0;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command StatusCommand()
    {
        var id = new Argument<string?>("ID") { Description = "A job id; all jobs when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show backfill jobs and their progress.") { id };
        command.SetAction(async (parseResult, cancellationToken) => await WithHostAsync(async services =>
        {
            var jobs = services.GetRequiredService<BackfillJobs>();
            var time = services.GetRequiredService<TimeProvider>();
            if (parseResult.GetValue(id) is { } one)
            {
                var job = await jobs.GetAsync(one, cancellationToken).ConfigureAwait(false);
                if (job is null)
                {
                    await Console.Error.WriteLineAsync($"There is no backfill job {one}; `backfill status` lists them.").ConfigureAwait(false);
                    return Refused;
                }

                Console.WriteLine(Describe(job, time.GetUtcNow()));
                if (job.Error is not null)
                {
                    Console.WriteLine($"  error: {job.Error}");
                }

                return 0;
            }

            var all = await jobs.ListAsync(cancellationToken).ConfigureAwait(false);
            if (all.Count == 0)
            {
                Console.WriteLine("No backfill jobs.");
            }

            foreach (var job in all)
            {
                Console.WriteLine(Describe(job, time.GetUtcNow()));
            }

            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command CancelCommand()
    {
        var id = new Argument<string>("ID") { Description = "The job id." };
        var command = new Command("cancel", "Cancel a queued or running job (a running one stops at its next checkpoint).") { id };
        command.SetAction(async (parseResult, cancellationToken) => await WithHostAsync(async services =>
        {
            var result = await services.GetRequiredService<BackfillJobs>().CancelAsync(parseResult.GetValue(id)!, Actor(), cancellationToken).ConfigureAwait(false);
            return Report(result, result.Job?.Status == BackfillStatus.Cancelled ? "Cancelled" : "Cancel requested for");
        }).ConfigureAwait(false));
        return command;
    }

    private static Command ResumeCommand()
    {
        var id = new Argument<string>("ID") { Description = "The job id." };
        var wait = WaitOption();
        var command = new Command("resume", "Resume a failed or cancelled job from its last checkpoint.") { id, wait };
        command.SetAction(async (parseResult, cancellationToken) => await WithHostAsync(async services =>
        {
            var result = await services.GetRequiredService<BackfillJobs>().ResumeAsync(parseResult.GetValue(id)!, Actor(), cancellationToken, allowActive: true).ConfigureAwait(false);
            var code = Report(result, "Queued again");
            return code == 0 && parseResult.GetValue(wait) ? await RunOrWatchAsync(services, result.Job!.Id, cancellationToken).ConfigureAwait(false) : code;
        }).ConfigureAwait(false));
        return command;
    }

    private static Option<bool> WaitOption() => new("--wait")
    {
        Description = "Run the job in this process (or watch it, if a service already took it) with live progress until it ends.",
    };

    private static int Report(BackfillCommandResult result, string done)
    {
        if (!result.Succeeded)
        {
            Console.Error.WriteLine(result.Error);
            return Refused;
        }

        Console.WriteLine($"{done} backfill {result.Job!.Id}.");
        return 0;
    }

    private static async Task<int> RunOrWatchAsync(IServiceProvider services, string id, CancellationToken cancellationToken)
    {
        var runner = services.GetRequiredService<BackfillRunner>();
        var store = services.GetRequiredService<IBackfillStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var run = ClaimAndRunAsync(runner, store, id, cancellationToken);

        var watch = Console.IsOutputRedirected
            ? WatchLinesAsync(store, time, id, run, cancellationToken)
            : WatchBarAsync(store, time, id, run, cancellationToken);
        BackfillJob final;
        try
        {
            final = await watch.ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"Interrupted: {id} goes back to the queue; `backfill resume` is not needed, a service or `backfill resume {id} --wait` continues it.");
            return Refused;
        }

        final = await store.GetAsync(id, CancellationToken.None).ConfigureAwait(false) ?? final;
        Console.WriteLine(Describe(final, time.GetUtcNow()));
        if (final.Error is not null)
        {
            Console.Error.WriteLine($"  error: {final.Error}");
        }

        return final.Status == BackfillStatus.Completed ? 0 : Refused;
    }

    /// <summary>
    /// Runs the job here as soon as it can be claimed: at once when queued, after its lease runs out when the
    /// process that ran it died. While another live process holds it, this one only watches.
    /// </summary>
    private static async Task ClaimAndRunAsync(BackfillRunner runner, IBackfillStore store, string id, CancellationToken cancellationToken)
    {
        var told = false;
        while (true)
        {
            if (await runner.TryClaimAsync(id, cancellationToken).ConfigureAwait(false) is { } claimed)
            {
                await runner.RunAsync(claimed, cancellationToken).ConfigureAwait(false);
                return;
            }

            var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (job is null || !job.IsActive)
            {
                return;
            }

            if (!told)
            {
                Console.WriteLine($"Another process holds {id} (or held it until it died); running it here once its lease runs out.");
                told = true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<BackfillJob> WatchLinesAsync(IBackfillStore store, TimeProvider time, string id, Task run, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"Backfill {id} disappeared.");
            if (!job.IsActive)
            {
                return job;
            }

            Console.WriteLine(Describe(job, time.GetUtcNow()));
            await Task.WhenAny(run.IsCompleted ? Task.Delay(TimeSpan.FromSeconds(1), cancellationToken) : run, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static async Task<BackfillJob> WatchBarAsync(IBackfillStore store, TimeProvider time, string id, Task run, CancellationToken cancellationToken)
    {
        BackfillJob? last = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(id, maxValue: 100);
                while (true)
                {
                    last = await store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"Backfill {id} disappeared.");
                    var progress = BackfillProgress.Of(last, time.GetUtcNow());
                    var c = last.Counters;
                    task.Description = Markup.Escape(
                        $"{id} {last.Status}: scanned {c.Scanned}/{last.EstimatedTotal?.ToString(CultureInfo.InvariantCulture) ?? "?"}, {(last.DryRun ? "would create" : "created")} {c.Created}, present {c.AlreadyPresent}, failed {c.Failed}, {progress.IssuesPerSecond ?? 0:0} issues/s, ETA {Eta(progress.Eta)}");
                    task.Value = progress.Percent ?? 0;
                    if (!last.IsActive)
                    {
                        task.StopTask();
                        return;
                    }

                    await Task.WhenAny(run.IsCompleted ? Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken) : run, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }).ConfigureAwait(false);
        return last!;
    }

    internal static string Describe(BackfillJob job, DateTimeOffset now)
    {
        var progress = BackfillProgress.Of(job, now);
        var c = job.Counters;
        var percent = progress.Percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "?";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{job.Id} {job.ProjectKey}{(job.DryRun ? " (dry run)" : "")} {job.Status}{(job.CancelRequested && job.IsActive ? " (cancelling)" : "")}: scanned {c.Scanned} of ~{job.EstimatedTotal?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({percent}), matched {c.Matched}, {(job.DryRun ? "would create" : "created")} {c.Created}, already present {c.AlreadyPresent}, failed {c.Failed}, {progress.IssuesPerSecond ?? 0:0.0} issues/s, ETA {Eta(progress.Eta)}");
    }

    private static string Eta(TimeSpan? eta) => eta is { } e ? e.TotalSeconds < 60 ? $"{e.TotalSeconds:0} s" : $"{(int)e.TotalMinutes} min {e.Seconds} s" : "-";

    private static string Actor() => $"cli:{Environment.UserName}";

    private static async Task<int> WithHostAsync(Func<IServiceProvider, Task<int>> action)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });

            // Command output is for people; only problems are logged, and to stderr.
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddRules();
            builder.AddStorage();
            builder.AddJira();
            builder.AddBackfillServices();
            using var host = builder.Build();
            return await action(host.Services).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return InvalidInput;
        }
        catch (Rules.Loading.RuleSetValidationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return InvalidInput;
        }
    }
}
