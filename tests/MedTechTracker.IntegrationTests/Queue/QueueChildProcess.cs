using MedTechTracker.Queue;
using MedTechTracker.Queue.Sqlite;
using MedTechTracker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.IntegrationTests.Queue;

/// <summary>
/// The entry point of this assembly when a test starts it as a child process
/// (<c>dotnet MedTechTracker.IntegrationTests.dll queue-… ARGS</c>) to use the queue file from another OS process.
/// The test host never calls it.
/// </summary>
public static class QueueChildProcess
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["queue-receive", var dataDirectory, var heldDirectory, var logFile, var stopFile, var lockSeconds]:
                await ReceiveUntilStoppedAsync(dataDirectory, heldDirectory, logFile, stopFile, TimeSpan.FromSeconds(int.Parse(lockSeconds, System.Globalization.CultureInfo.InvariantCulture)));
                return 0;
            case ["queue-hold", var dataDirectory, var count, var lockSeconds]:
                await HoldAsync(dataDirectory, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(int.Parse(lockSeconds, System.Globalization.CultureInfo.InvariantCulture)));
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: queue-receive DATA HELD LOG STOP LOCK_SECONDS | queue-hold DATA COUNT LOCK_SECONDS");
                return 2;
        }
    }

    public static SqliteWorkQueue OpenQueue(string dataDirectory, TimeSpan lockDuration)
    {
        var queue = new SqliteWorkQueue(
            Options.Create(new QueueOptions { LockDuration = lockDuration, PollInterval = TimeSpan.FromMilliseconds(10) }),
            Options.Create(new DataOptions { Directory = dataDirectory }),
            TimeProvider.System,
            NullLogger<SqliteWorkQueue>.Instance);
        queue.Start();
        return queue;
    }

    /// <summary>
    /// Four receivers. While a message is leased, a marker file named after its issue key exists in
    /// <paramref name="heldDirectory"/>, created with CreateNew: if another process held the same key, creation fails.
    /// </summary>
    private static async Task ReceiveUntilStoppedAsync(string dataDirectory, string heldDirectory, string logFile, string stopFile, TimeSpan lockDuration)
    {
        await using var queue = OpenQueue(dataDirectory, lockDuration);
        var log = new Lock();
        void Write(string line)
        {
            lock (log)
            {
                File.AppendAllText(logFile, line + "\n");
            }
        }

        async Task Receive()
        {
            while (true)
            {
                var leased = await queue.ReceiveAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
                if (leased is null)
                {
                    if (File.Exists(stopFile))
                    {
                        return;
                    }

                    continue;
                }

                var marker = Path.Combine(heldDirectory, leased.Message.IssueKey);
                try
                {
                    File.Open(marker, FileMode.CreateNew).Dispose();
                }
                catch (IOException)
                {
                    Write($"violation {leased.Message.IssueKey} {leased.Message.MessageId}");
                    await queue.CompleteAsync(leased, CancellationToken.None);
                    continue;
                }

                await Task.Delay(Random.Shared.Next(1, 6));
                File.Delete(marker);
                await queue.CompleteAsync(leased, CancellationToken.None);
                Write($"done {leased.Message.MessageId}");
            }
        }

        var receivers = Enumerable.Range(0, 4).Select(_ => Task.Run(Receive)).ToList();
        Console.WriteLine("ready");
        await Console.Out.FlushAsync();
        await Task.WhenAll(receivers);
    }

    /// <summary>Leases messages, says so on stdout, then hangs until killed.</summary>
    private static async Task HoldAsync(string dataDirectory, int count, TimeSpan lockDuration)
    {
        var queue = OpenQueue(dataDirectory, lockDuration);
        for (var held = 0; held < count;)
        {
            if (await queue.ReceiveAsync(TimeSpan.FromSeconds(5), CancellationToken.None) is not null)
            {
                held++;
            }
        }

        Console.WriteLine($"held {count}");
        await Console.Out.FlushAsync();
        await Task.Delay(Timeout.Infinite);
    }
}
