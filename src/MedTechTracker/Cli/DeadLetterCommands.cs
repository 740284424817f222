using System.CommandLine;
using System.Globalization;
using MedTechTracker.Diagnostics;
using MedTechTracker.Queue;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>deadletter list | show ID | replay ID | replay --all | purge</c> on the queue the service uses.
/// Exit codes follow <see cref="CliHost"/> (an unknown id is invalid input, 2). <c>purge</c> asks for confirmation on a
/// terminal and needs <c>--yes</c> otherwise.
/// </summary>
public static class DeadLetterCommands
{
    /// <param name="hostFactory">The host the commands run in (tests pass their own).</param>
    /// <param name="confirm">Asks a person a yes/no question; answers null when nobody can (stdin is not a terminal).</param>
    public static Command Create(Func<IHost>? hostFactory = null, Func<string, bool?>? confirm = null)
    {
        var factory = hostFactory ?? (() => CliHost.Build());
        confirm ??= AskOnTerminal;

        var max = new Option<int>("--max") { Description = "Show at most this many (oldest first).", DefaultValueFactory = _ => 100 };
        max.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--max must be at least 1.");
            }
        });
        var list = new Command("list", "Show the dead letters, oldest first.") { max };
        list.SetAction((parseResult, ct) => CliHost.RunAsync(parseResult, factory, (services, output, _, token) => ListAsync(services, parseResult.GetValue(max), output, token), ct));

        var showId = new Argument<string>("ID") { Description = "The dead letter's id (see deadletter list)." };
        var show = new Command("show", "Show one dead letter in full, with its reason.") { showId };
        show.SetAction((parseResult, ct) => CliHost.RunAsync(parseResult, factory, (services, output, error, token) => ShowAsync(services, parseResult.GetValue(showId)!, output, error, token), ct));

        var replayId = new Argument<string?>("ID") { Description = "The dead letter to put back on the queue.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Put every dead letter back on the queue." };
        var replay = new Command("replay", "Put a dead letter (or --all) back on the queue with a fresh delivery count.") { replayId, all };
        replay.Validators.Add(result =>
        {
            var hasId = result.GetValue(replayId) is not null;
            var hasAll = result.GetValue(all);
            if (hasId == hasAll)
            {
                result.AddError("Give either a dead-letter ID or --all.");
            }
        });
        replay.SetAction((parseResult, ct) => CliHost.RunAsync(parseResult, factory, (services, output, error, token) =>
            parseResult.GetValue(all)
                ? ReplayAllAsync(services, output, token)
                : ReplayAsync(services, parseResult.GetValue(replayId)!, output, error, token), ct));

        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (needed when stdin is not a terminal)." };
        var purge = new Command("purge", "Delete every dead letter for good (asks first; --yes to skip).") { yes };
        purge.SetAction((parseResult, ct) => CliHost.RunAsync(parseResult, factory, async (services, output, error, token) =>
        {
            if (!parseResult.GetValue(yes))
            {
                var count = (await services.GetRequiredService<IWorkQueue>().GetStatisticsAsync(token).ConfigureAwait(false)).DeadLetterCount;
                var answer = confirm($"Delete {Plural(count, "dead letter")} for good? [y/N] ");
                if (answer is null)
                {
                    await error.WriteLineAsync("purge deletes every dead letter for good; pass --yes to confirm (stdin is not a terminal, so nobody can be asked).").ConfigureAwait(false);
                    return CliHost.InvalidInput;
                }

                if (answer == false)
                {
                    await output.WriteLineAsync("Nothing purged.").ConfigureAwait(false);
                    return CliHost.InvalidInput;
                }
            }

            var purged = await services.GetRequiredService<IDeadLetterQueue>().PurgeAsync(token).ConfigureAwait(false);
            await output.WriteLineAsync($"Purged {Plural(purged, "dead letter")}.").ConfigureAwait(false);
            return CliHost.Ok;
        }, ct));

        return new Command("deadletter", "Inspect, replay and purge messages the worker gave up on.") { list, show, replay, purge };
    }

    private static async Task<int> ListAsync(IServiceProvider services, int max, TextWriter output, CancellationToken cancellationToken)
    {
        var queue = services.GetRequiredService<IDeadLetterQueue>();
        var deadLetters = await queue.ListAsync(max, cancellationToken).ConfigureAwait(false);
        if (deadLetters.Count == 0)
        {
            await output.WriteLineAsync("No dead letters.").ConfigureAwait(false);
            return CliHost.Ok;
        }

        var table = CliTable.Create("Id", "Issue", "Deliveries", "Dead-lettered (UTC)", "Reason");
        foreach (var deadLetter in deadLetters)
        {
            table.AddRow([
                deadLetter.Id,
                deadLetter.Message.IssueKey,
                deadLetter.DeliveryCount.ToString(CultureInfo.InvariantCulture),
                Time(deadLetter.DeadLetteredAt),
                SafeText.Clean(deadLetter.Reason, 79),
            ]);
        }

        CliTable.Write(output, table);
        var statistics = await services.GetRequiredService<IWorkQueue>().GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(statistics.DeadLetterCount > deadLetters.Count
            ? $"Showing {deadLetters.Count} of {Plural(statistics.DeadLetterCount, "dead letter")}; use --max to see more."
            : $"{Plural(deadLetters.Count, "dead letter")}. See one in full with: deadletter show ID").ConfigureAwait(false);
        return CliHost.Ok;
    }

    private static async Task<int> ShowAsync(IServiceProvider services, string id, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var deadLetter = await services.GetRequiredService<IDeadLetterQueue>().GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (deadLetter is null)
        {
            await error.WriteLineAsync($"No dead letter with id '{SafeText.Clean(id)}'. See: deadletter list").ConfigureAwait(false);
            return CliHost.InvalidInput;
        }

        var message = deadLetter.Message;
        var table = CliTable.Create("Field", "Value");
        table.AddRow(["Id", deadLetter.Id]);
        table.AddRow(["Issue", $"{message.IssueKey} (id {message.IssueId})"]);
        table.AddRow(["Project", message.ProjectKey]);
        table.AddRow(["Message id", message.MessageId]);
        table.AddRow(["Received (UTC)", Time(message.ReceivedAt)]);
        table.AddRow(["Dead-lettered (UTC)", Time(deadLetter.DeadLetteredAt)]);
        table.AddRow(["Deliveries", deadLetter.DeliveryCount.ToString(CultureInfo.InvariantCulture)]);
        table.AddRow(["Trace parent", message.TraceParent ?? "(none)"]);
        table.AddRow(["Reason", SafeText.Clean(deadLetter.Reason, 2000)]);
        CliTable.Write(output, table);
        return CliHost.Ok;
    }

    private static async Task<int> ReplayAsync(IServiceProvider services, string id, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var queue = services.GetRequiredService<IDeadLetterQueue>();
        var deadLetter = await queue.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (deadLetter is null || !await queue.ReplayAsync(id, cancellationToken).ConfigureAwait(false))
        {
            await error.WriteLineAsync($"No dead letter with id '{SafeText.Clean(id)}'. See: deadletter list").ConfigureAwait(false);
            return CliHost.InvalidInput;
        }

        await output.WriteLineAsync($"Replayed dead letter {id} ({deadLetter.Message.IssueKey}): it is back on the queue.").ConfigureAwait(false);
        return CliHost.Ok;
    }

    private static async Task<int> ReplayAllAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var replayed = await services.GetRequiredService<IDeadLetterQueue>().ReplayAllAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(replayed == 0 ? "No dead letters to replay." : $"Replayed {Plural(replayed, "dead letter")}: back on the queue.").ConfigureAwait(false);
        return CliHost.Ok;
    }

    private static bool? AskOnTerminal(string question)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(question);
        var answer = Console.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Plural(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
