using MedTechTracker.Queue;
using MedTechTracker.Queue.Sqlite;
using MedTechTracker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>The contract on the embedded SQLite queue: every instance opens the same file, as processes on one host do.</summary>
public sealed class SqliteQueueContractTests : QueueContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtc-contract-" + Guid.NewGuid().ToString("N"));

    protected override Task<QueueUnderTest> OpenAsync(string name, ContractSettings settings)
    {
        Directory.CreateDirectory(_directory);
        var options = new QueueOptions
        {
            Name = name,
            MaxDeliveryCount = settings.MaxDeliveryCount,
            LockDuration = settings.LockDuration,
            BackoffBase = settings.BackoffBase,
            BackoffCap = TimeSpan.FromMinutes(1),
            PollInterval = TimeSpan.FromMilliseconds(10),
        };
        var queue = new SqliteWorkQueue(Options.Create(options), Options.Create(new DataOptions { Directory = _directory }), TimeProvider.System, NullLogger<SqliteWorkQueue>.Instance);
        queue.Start();
        return Task.FromResult(new QueueUnderTest(queue, queue, queue));
    }

    protected override ValueTask DisposeAdapterAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the temp folder is cleaned eventually.
        }

        return ValueTask.CompletedTask;
    }
}
