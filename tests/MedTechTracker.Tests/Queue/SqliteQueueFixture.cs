using MedTechTracker.Queue;
using MedTechTracker.Queue.Sqlite;
using MedTechTracker.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.Tests.Queue;

/// <summary>Queues over one file in a temp data directory, on a fake clock.</summary>
public sealed class SqliteQueueFixture : IAsyncDisposable
{
    private readonly TempDataDirectory _directory = new();
    private readonly List<SqliteWorkQueue> _queues = [];

    public SqliteQueueFixture(Action<QueueOptions>? configure = null)
    {
        Options = new QueueOptions
        {
            LockDuration = TimeSpan.FromMinutes(5),
            BackoffBase = TimeSpan.FromSeconds(10),
            BackoffCap = TimeSpan.FromMinutes(1),
            PollInterval = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(Options);
        Queue = Open();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public QueueOptions Options { get; }

    public SqliteWorkQueue Queue { get; }

    public string DataDirectory => _directory.Path;

    /// <summary>Another instance with its own connections over the same file, as another process would have.</summary>
    public SqliteWorkQueue Open(TimeProvider? time = null)
    {
        var queue = new SqliteWorkQueue(
            Microsoft.Extensions.Options.Options.Create(Options),
            _directory.Options,
            time ?? Time,
            NullLogger<SqliteWorkQueue>.Instance);
        _queues.Add(queue);
        queue.Start();
        return queue;
    }

    public static IssueReference Message(string issueKey, string? messageId = null) => new(
        messageId ?? Guid.NewGuid().ToString(),
        "10" + issueKey.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
        issueKey,
        issueKey.Split('-')[0],
        new DateTimeOffset(2026, 3, 1, 7, 59, 59, 123, TimeSpan.FromHours(1)),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DisposeAsync();
        }

        _directory.Dispose();
    }
}
