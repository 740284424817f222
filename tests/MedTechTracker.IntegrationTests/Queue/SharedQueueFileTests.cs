using System.Diagnostics;
using MedTechTracker.Queue;
using Microsoft.Data.Sqlite;

namespace MedTechTracker.IntegrationTests.Queue;

/// <summary>The embedded queue shared by separate OS processes on one host, as the ingress and worker roles share it.</summary>
public sealed class SharedQueueFileTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mtc-queue-it-" + Guid.NewGuid().ToString("N"));
    private readonly List<Process> _children = [];

    public SharedQueueFileTests() => Directory.CreateDirectory(_root);

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public async Task Two_worker_processes_and_an_enqueuing_process_never_lease_one_issue_twice_and_finish_every_message_once()
    {
        var held = Directory.CreateDirectory(Path.Combine(_root, "held")).FullName;
        var stop = Path.Combine(_root, "stop");
        const int messages = 300;
        await using var ingress = QueueChildProcess.OpenQueue(DataDirectory, TimeSpan.FromMinutes(2));

        var logs = new[] { Path.Combine(_root, "worker-1.log"), Path.Combine(_root, "worker-2.log") };
        var workers = logs.Select(log => Start("queue-receive", DataDirectory, held, log, stop, "120")).ToList();
        foreach (var worker in workers)
        {
            Assert.Equal("ready", await worker.StandardOutput.ReadLineAsync().WaitAsync(Patience));
        }

        // Enqueued while both workers lease: the ingress process writes the file the others read.
        await EnqueueAsync(ingress, 0, messages / 2);
        await EnqueueAsync(ingress, messages / 2, messages);
        await WaitUntilAsync(async () => (await ingress.GetStatisticsAsync(CancellationToken.None)).ActiveCount == 0);
        await File.WriteAllTextAsync(stop, "");
        await WaitForExitAsync();

        var lines = logs.Where(File.Exists).SelectMany(File.ReadAllLines).ToList();
        Assert.DoesNotContain(lines, l => l.StartsWith("violation", StringComparison.Ordinal));
        var done = lines.Where(l => l.StartsWith("done ", StringComparison.Ordinal)).Select(l => l[5..]).ToList();
        Assert.Equal(messages, done.Count);
        Assert.Equal(Enumerable.Range(0, messages).Select(i => $"m{i}").Order(), done.Order());
        Assert.All(logs, log => Assert.True(File.Exists(log), $"{log}: this worker processed nothing, so the test proves no sharing"));
    }

    [Fact]
    public async Task Leases_of_a_worker_killed_with_SIGKILL_are_delivered_again_within_seconds_not_when_they_expire()
    {
        var lockDuration = TimeSpan.FromMinutes(5);
        await using var queue = QueueChildProcess.OpenQueue(DataDirectory, lockDuration);
        for (var i = 0; i < 3; i++)
        {
            await queue.EnqueueAsync(new IssueReference($"m{i}", $"{10000 + i}", $"MED-{i}", "MED", DateTimeOffset.UtcNow), CancellationToken.None);
        }

        var worker = Start("queue-hold", DataDirectory, "3", ((int)lockDuration.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var said = await worker.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        Assert.Equal("held 3", said);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(3), CancellationToken.None));

        var killedAt = Stopwatch.StartNew();
        worker.Kill();
        await worker.WaitForExitAsync().WaitAsync(Patience);
        var redelivered = new List<LeasedMessage>();
        await WaitUntilAsync(async () =>
        {
            if (await queue.ReceiveAsync(TimeSpan.FromSeconds(1), CancellationToken.None) is { } leased)
            {
                redelivered.Add(leased);
                await queue.CompleteAsync(leased, CancellationToken.None);
            }

            return redelivered.Count == 3;
        });

        Assert.Equal(["m0", "m1", "m2"], redelivered.Select(m => m.Message.MessageId).Order());
        Assert.All(redelivered, m => Assert.Equal(2, m.DeliveryCount));
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(30), $"redelivered {killedAt.Elapsed} after the kill; the leases ran for {lockDuration}");
    }

    public void Dispose()
    {
        foreach (var child in _children)
        {
            try
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                    child.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            child.Dispose();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the temp folder is cleaned eventually.
        }
    }

    private static async Task EnqueueAsync(IWorkQueue queue, int from, int to)
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(from, to - from).Select(i => queue.EnqueueAsync(
            new IssueReference($"m{i}", $"{10000 + i}", $"MED-{i % 12}", "MED", DateTimeOffset.UtcNow),
            CancellationToken.None)));
        Assert.All(outcomes, o => Assert.Equal(EnqueueOutcome.Enqueued, o));
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Poll.UntilAsync(condition, "the queue file got there", Patience);

    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(DotNet())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(QueueChildProcess).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        _children.Add(process);
        return process;
    }

    private async Task WaitForExitAsync()
    {
        foreach (var child in _children)
        {
            await child.WaitForExitAsync().WaitAsync(Patience);
            Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode}: {await child.StandardError.ReadToEndAsync()}");
        }
    }

    private static string DotNet()
    {
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
