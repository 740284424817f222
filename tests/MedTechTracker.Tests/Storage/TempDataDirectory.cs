using MedTechTracker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Tests.Storage;

/// <summary>A fresh data directory under the temp folder, deleted afterwards.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mtc-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public IOptions<DataOptions> Options => Microsoft.Extensions.Options.Options.Create(new DataOptions { Directory = Path });

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a disposing connection; the temp folder is cleaned eventually.
        }
    }
}
