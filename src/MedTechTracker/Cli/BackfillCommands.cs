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
/// Exit codes follow <see cref="CliHost"/>: 0 done (or queued); 2 invalid input, an unknown job, a refused request,
/// or a job that was cancelled or interrupted; 3 a job that failed (its Jira calls did).
/// </summary>
public static class BackfillCommands
{
    public const int Refused = CliHost.InvalidInput;
    public const int InvalidInput = CliHost.InvalidInput;
    public const int JobFailed = CliHost.Unavailable;

    /// <param name="hostFactory">The host the commands run in (tests pass their own).</param>
    public static Command Create(Func<IHost>? hostFactory = null)
    {
        var factory = hostFactory ?? (() => CliHost.Build(capabilities: CliCapabilities.Backfill));
        var command = new Command("backfill", "Apply the rules to existing issues: start, watch, cancel and resume backfill jobs.")
        {
            StartCommand(factory),
            StatusCommand(factory),
            CancelCommand(factory),
            ResumeCommand(factory),
        };
        return command;
    }

    private static Command StartCommand(Func<IHost> factory)
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
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"--created-after: '{text}' is not a date (use yyyy-MM-dd or yyyy-MM-dd HH:mm, UTC).").ConfigureAwait(false);
                    return InvalidInput;
                }

                after = parsed;
            }

            return await WithHostAsync(factory, parseResult, cancellationToken, async (services, output, error) =>
            {
                var jobs = services.GetRequiredService<BackfillJobs>();
                var result = await jobs.StartAsync(
                    new BackfillRequest(parseResult.GetValue(project)!, parseResult.GetValue(jql), after, parseResult.GetValue(dryRun)),
                    Actor(),
                    cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    await error.WriteLineAsync(result.Error).ConfigureAwait(false);
                    return result.ErrorKind == BackfillErrorKind.Invalid ? InvalidInput : Refused;
                }

                output.WriteLine($"Queued backfill {result.Job!.Id} of {result.Job.ProjectKey}{(result.Job.DryRun ? " (dry run)" : "")}.");
                return parseResult.GetValue(wait) ? await RunOrWatchAsync(services, result.Job.Id, output, error, cancellationToken).ConfigureAwait(false) : 0;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command StatusCommand(Func<IHost> factory)
    {
        var id = new Argument<string?>("ID") { Description = "A job id; all jobs when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show backfill jobs and their progress.") { id };
        command.SetAction(async (parseResult, cancellationToken) => await WithHostAsync(factory, parseResult, cancellationToken, async (services, output, error) =>
        {
            var jobs = services.GetRequiredService<BackfillJobs>();
            var time = services.GetRequiredService<TimeProvider>();
            if (parseResult.GetValue(id) is { } one)
            {
                var job = await jobs.GetAsync(one, cancellationToken).ConfigureAwait(false);
                if (job is null)
                {
                    await error.WriteLineAsync($"There is no backfill job {one}; `backfill status` lists them.").ConfigureAwait(false);
                    return Refused;
                }

                output.WriteLine(Describe(job, time.GetUtcNow()));
                if (job.Error is not null)
                {
                    output.WriteLine($"  error: {job.Error}");
                }

                return 0;
            }

            var all = await jobs.ListAsync(cancellationToken).ConfigureAwait(false);
            if (all.Count == 0)
            {
                output.WriteLine("No backfill jobs.");
            }

            foreach (var job in all)
            {
                output.WriteLine(Describe(job, time.GetUtcNow()));
            }

            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command CancelCommand(Func<IHost> factory)
    {
        var id = new Argument<string>("ID") { Description = "The job id." };
        var command = new Command("cancel", "Cancel a queued or running job (a running one stops at its next checkpoint).") { id };
        command.SetAction(async (parseResult, cancellationToken) => await WithHostAsync(factory, parseResult, cancellationToken, async (services, output, error) =>
        {
            var result = await services.GetRequiredService<BackfillJobs>().CancelAsync(parseResult.GetValue(id)!, Actor(), cancellationToken).ConfigureAwait(false);
            return Report(result, output, error, result.Job?.Status == BackfillStatus.Cancelled ? "Cancelled" : "Cancel requested for");
        }).ConfigureAwait(false));
        return command;
    }

    private static Command ResumeCommand(Func<IHost> factory)
    {
        var id = new Argument<string>("ID") { Description = "The job id." };
        var wait = WaitOption();
        var command = new Command("resume", "Resume a failed or cancelled job from its last checkpoint.") { id, wait };
        command.SetAction(async (parseResult, cancellationToken) => await WithHostAsync(factory, parseResult, cancellationToken, async (services, output, error) =>
        {
            var result = await services.GetRequiredService<BackfillJobs>().ResumeAsync(parseResult.GetValue(id)!, Actor(), cancellationToken, allowActive: true).ConfigureAwait(false);
            var code = Report(result, output, error, "Queued again");
            return code == 0 && parseResult.GetValue(wait) ? await RunOrWatchAsync(services, result.Job!.Id, output, error, cancellationToken).ConfigureAwait(false) : code;
        }).ConfigureAwait(false));
        return command;
    }

    private static Option<bool> WaitOption() => new("--wait")
    {
        Description = "Run the job in this process (or watch it, if a service already took it) with live progress until it ends.",
    };

    private static int Report(BackfillCommandResult result, TextWriter output, TextWriter error, string done)
    {
        if (!result.Succeeded)
        {
            error.WriteLine(result.Error);
            return Refused;
        }

        output.WriteLine($"{done} backfill {result.Job!.Id}.");
        return 0;
    }

    private static async Task<int> RunOrWatchAsync(IServiceProvider services, string id, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var runner = services.GetRequiredService<BackfillRunner>();
        var store = services.GetRequiredService<IBackfillStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var run = ClaimAndRunAsync(runner, store, id, output, cancellationToken);

        // The live bar only on a real terminal; anywhere else (a pipe, a test's writer) one line per update.
        var watch = Console.IsOutputRedirected || !ReferenceEquals(output, Console.Out)
            ? WatchLinesAsync(store, time, id, run, output, cancellationToken)
            : WatchBarAsync(store, time, id, run, cancellationToken);
        BackfillJob final;
        try
        {
            final = await watch.ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"Interrupted: {id} goes back to the queue; `backfill resume` is not needed, a service or `backfill resume {id} --wait` continues it.");
            return Refused;
        }

        final = await store.GetAsync(id, CancellationToken.None).ConfigureAwait(false) ?? final;
        output.WriteLine(Describe(final, time.GetUtcNow()));
        if (final.Error is not null)
        {
            error.WriteLine($"  error: {final.Error}");
        }

        return final.Status switch
        {
            BackfillStatus.Completed => CliHost.Ok,
            BackfillStatus.Failed => JobFailed,
            _ => Refused,
        };
    }

    /// <summary>
    /// Runs the job here as soon as it can be claimed: at once when queued, after its lease runs out when the
    /// process that ran it died. While another live process holds it, this one only watches.
    /// </summary>
    private static async Task ClaimAndRunAsync(BackfillRunner runner, IBackfillStore store, string id, TextWriter output, CancellationToken cancellationToken)
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
                output.WriteLine($"Another process holds {id} (or held it until it died); running it here once its lease runs out.");
                told = true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<BackfillJob> WatchLinesAsync(IBackfillStore store, TimeProvider time, string id, Task run, TextWriter output, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"Backfill {id} disappeared.");
            if (!job.IsActive)
            {
                return job;
            }

            output.WriteLine(Describe(job, time.GetUtcNow()));
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

    private static Task<int> WithHostAsync(Func<IHost> factory, ParseResult parseResult, CancellationToken cancellationToken, Func<IServiceProvider, TextWriter, TextWriter, Task<int>> action) =>
        CliHost.RunAsync(parseResult, factory, (services, output, error, _) => action(services, output, error), cancellationToken);
}
