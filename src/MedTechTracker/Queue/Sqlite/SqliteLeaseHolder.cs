namespace MedTechTracker.Queue.Sqlite;

/// <summary>
/// Who holds a lease of the embedded queue, and whether that holder still runs. Each queue instance takes an
/// exclusive lock on its own (empty) file <c>&lt;queue file&gt;-holders/&lt;id&gt;.lock</c> for its lifetime and names its
/// id in every lock token (<c>&lt;id&gt;.&lt;nonce&gt;</c>). The kernel drops the lock the moment the process ends, however
/// it ends, so another process on the host can tell a dead holder at once instead of waiting for its leases to expire.
/// On a file system that does not enforce the lock (or with DOTNET_SYSTEM_IO_DISABLEFILELOCKING), nothing is
/// reclaimed and leases expire as before.
/// </summary>
internal sealed class SqliteLeaseHolder : IDisposable
{
    private const int IdLength = 32;
    private readonly string _directory;
    private readonly FileStream _lock;

    public SqliteLeaseHolder(string queueFile)
    {
        _directory = queueFile + "-holders";
        Directory.CreateDirectory(_directory);
        Id = Guid.NewGuid().ToString("N");
        _lock = new FileStream(PathOf(Id), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        CanTellLiveness = IsLockedByAnother(PathOf(Id));
        if (CanTellLiveness)
        {
            RemoveFilesOfEndedHolders();
        }
    }

    /// <summary>This instance's id: the prefix of every lock token it hands out.</summary>
    public string Id { get; }

    /// <summary>False where the file system does not enforce the lock: then no holder is ever judged dead.</summary>
    public bool CanTellLiveness { get; }

    public string NewLockToken() => $"{Id}.{Guid.NewGuid():N}";

    /// <summary>The holder named in a lock token, or null for a token of an older version (a bare GUID).</summary>
    public static string? HolderOf(string lockToken) =>
        lockToken.Length > IdLength + 1 && lockToken[IdLength] == '.' ? lockToken[..IdLength] : null;

    /// <summary>True unless the holder's process has certainly ended: its lock file is gone or no longer locked.</summary>
    public bool IsRunning(string holderId)
    {
        if (!CanTellLiveness || holderId == Id)
        {
            return true;
        }

        if (holderId.Length != IdLength || !holderId.All(char.IsAsciiHexDigitLower))
        {
            return true;
        }

        var path = PathOf(holderId);
        if (!File.Exists(path))
        {
            // Lock files are created before the first lease and deleted only when their holder closes or is found dead.
            return false;
        }

        if (IsLockedByAnother(path))
        {
            return true;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: another process may be cleaning it up too.
        }

        return false;
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>Lock files left by killed processes that held no lease (a CLI run, an ingress). Only old ones: a file
    /// exists for an instant before its creator locks it.</summary>
    private void RemoveFilesOfEndedHolders()
    {
        var settled = DateTime.UtcNow - TimeSpan.FromMinutes(1);
        foreach (var path in Directory.EnumerateFiles(_directory, "*.lock"))
        {
            if (Path.GetFileNameWithoutExtension(path) == Id || File.GetLastWriteTimeUtc(path) > settled || IsLockedByAnother(path))
            {
                continue;
            }

            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private string PathOf(string holderId) => Path.Combine(_directory, holderId + ".lock");

    private static bool IsLockedByAnother(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
