using Microsoft.Extensions.DependencyInjection;
using MedTechTracker.Queue;
using MedTechTracker.Tests.Storage;

namespace MedTechTracker.Tests.Queue;

public sealed class DeadLetterCommandsTests : IDisposable
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task List_with_no_dead_letters_says_so()
    {
        var (exitCode, output, _) = await _cli.RunAsync("deadletter", "list");

        Assert.Equal((0, "No dead letters."), (exitCode, output.Trim()));
    }

    [Fact]
    public async Task List_prints_a_table_with_issue_deliveries_and_reason()
    {
        await DeadLetterAsync("MED-1", "MED-1: Jira 400: Field 'customfield_10010' is required");
        await DeadLetterAsync("MED-2", "MED-2: project has no sub-task issue type");

        var (exitCode, output, _) = await _cli.RunAsync("deadletter", "list");

        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("Id", StringComparison.Ordinal) && l.Contains("Reason", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("1 ", StringComparison.Ordinal) && l.Contains("MED-1", StringComparison.Ordinal) && l.Contains("customfield_10010", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("2 ", StringComparison.Ordinal) && l.Contains("no sub-task issue type", StringComparison.Ordinal));
        Assert.Contains("2 dead letters", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_prints_one_dead_letter_in_full_and_an_unknown_id_exits_2()
    {
        var reason = "MED-1: Jira 400: " + new string('x', 150);
        await DeadLetterAsync("MED-1", reason);

        var shown = await _cli.RunAsync("deadletter", "show", "1");
        var missing = await _cli.RunAsync("deadletter", "show", "42");

        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("MED-1 (id 10001)", shown.Output, StringComparison.Ordinal);
        Assert.Contains(reason, shown.Output, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("No dead letter with id '42'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_and_list_never_write_raw_control_characters_from_a_stored_reason()
    {
        await DeadLetterAsync("MED-1", "MED-1: Jira said \u001b]0;owned\u0007\u001b[2J\r\ngone\u202e");

        var shown = await _cli.RunAsync("deadletter", "show", "1");
        var listed = await _cli.RunAsync("deadletter", "list");

        Assert.Equal((0, 0), (shown.ExitCode, listed.ExitCode));
        Assert.DoesNotContain(shown.Output + listed.Output, c => char.IsControl(c) && c is not '\n' and not '\r' || c == '\u202e');
        Assert.Contains(@"\x1B]0;owned\x07\x1B[2J\x0D\x0Agone\u202E", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_puts_one_dead_letter_back_on_the_queue()
    {
        await DeadLetterAsync("MED-1", "bad");
        await DeadLetterAsync("MED-2", "bad");

        var (exitCode, output, _) = await _cli.RunAsync("deadletter", "replay", "2");

        Assert.Equal((0, "Replayed dead letter 2 (MED-2): it is back on the queue."), (exitCode, output.Trim()));
        Assert.Equal(new QueueStatistics(1, 1, (await StatisticsAsync()).OldestEnqueuedAt), await StatisticsAsync());
        Assert.Equal(2, (await _cli.RunAsync("deadletter", "replay", "2")).ExitCode);
    }

    [Fact]
    public async Task Replay_all_puts_every_dead_letter_back_on_the_queue()
    {
        await DeadLetterAsync("MED-1", "bad");
        await DeadLetterAsync("MED-2", "bad");

        var (exitCode, output, _) = await _cli.RunAsync("deadletter", "replay", "--all");

        Assert.Equal((0, "Replayed 2 dead letters: back on the queue."), (exitCode, output.Trim()));
        Assert.Equal(2, (await StatisticsAsync()).ActiveCount);
        Assert.Equal(0, (await StatisticsAsync()).DeadLetterCount);
    }

    [Fact]
    public async Task Purge_with_yes_deletes_every_dead_letter()
    {
        await DeadLetterAsync("MED-1", "bad");

        var (exitCode, output, _) = await _cli.RunAsync("deadletter", "purge", "--yes");

        Assert.Equal((0, "Purged 1 dead letter."), (exitCode, output.Trim()));
        Assert.Equal(new QueueStatistics(0, 0, null), await StatisticsAsync());
        Assert.Equal("No dead letters.", (await _cli.RunAsync("deadletter", "list")).Output.Trim());
    }

    [Fact]
    public async Task Purge_without_yes_and_without_a_terminal_refuses_and_deletes_nothing()
    {
        await DeadLetterAsync("MED-1", "bad");

        var (exitCode, _, error) = await _cli.RunAsync("deadletter", "purge");

        Assert.Equal(2, exitCode);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        Assert.Equal(1, (await StatisticsAsync()).DeadLetterCount);
    }

    [Theory]
    [InlineData(false, 0, 1)]
    [InlineData(true, 1, 0)]
    public async Task Purge_on_a_terminal_asks_first_and_deletes_only_on_yes(bool answer, int purged, int left)
    {
        await DeadLetterAsync("MED-1", "bad");
        string? asked = null;
        _cli.Confirm = question =>
        {
            asked = question;
            return answer;
        };

        var (exitCode, output, _) = await _cli.RunAsync("deadletter", "purge");

        Assert.Equal("Delete 1 dead letter for good? [y/N] ", asked);
        Assert.Equal(answer ? 0 : 2, exitCode);
        Assert.Contains(purged == 1 ? "Purged 1 dead letter." : "Nothing purged.", output, StringComparison.Ordinal);
        Assert.Equal(left, (await StatisticsAsync()).DeadLetterCount);
    }

    [Theory]
    [InlineData("deadletter", "replay")]
    [InlineData("deadletter", "replay", "1", "--all")]
    [InlineData("deadletter", "show")]
    [InlineData("deadletter", "list", "--max", "0")]
    public async Task Malformed_command_lines_exit_2(params string[] args)
    {
        var (exitCode, _, error) = await _cli.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.NotEqual("", error);
    }

    public void Dispose() => _cli.Dispose();

    private async Task DeadLetterAsync(string issueKey, string reason)
    {
        using var host = _cli.BuildHost();

        // What serve does: the host starts the queue (a CLI command only reads and replays, so it never needs to).
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync(new IssueReference(Guid.NewGuid().ToString(), "10001", issueKey, "MED", DateTimeOffset.UtcNow), CancellationToken.None);
        var leased = await queue.ReceiveAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(issueKey, leased!.Message.IssueKey);
        await queue.DeadLetterAsync(leased, reason, CancellationToken.None);
    }

    private async Task<QueueStatistics> StatisticsAsync()
    {
        using var host = _cli.BuildHost();
        return await host.Services.GetRequiredService<IWorkQueue>().GetStatisticsAsync(CancellationToken.None);
    }
}
