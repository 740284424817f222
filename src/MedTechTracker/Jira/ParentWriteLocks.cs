namespace MedTechTracker.Jira;

/// <summary>
/// One writer per parent issue in this process: the live worker and the backfill each hold a parent's lock from the
/// strongly consistent read of its sub-tasks until their create returns, so they never both create under one parent.
/// </summary>
public sealed class ParentWriteLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Locks every parent, in ordinal order (two callers with overlapping sets cannot deadlock).</summary>
    public async Task<IDisposable> AcquireAsync(IEnumerable<string> parentKeys, CancellationToken cancellationToken)
    {
        var keys = parentKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var held = new List<string>(keys.Count);
        try
        {
            foreach (var key in keys)
            {
                Entry entry;
                lock (_entries)
                {
                    if (!_entries.TryGetValue(key, out entry!))
                    {
                        entry = new Entry();
                        _entries[key] = entry;
                    }

                    entry.Users++;
                }

                try
                {
                    await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Leave(key, entry, release: false);
                    throw;
                }

                held.Add(key);
            }
        }
        catch
        {
            ReleaseAll(held);
            throw;
        }

        return new Held(this, held);
    }

    public Task<IDisposable> AcquireAsync(string parentKey, CancellationToken cancellationToken) => AcquireAsync([parentKey], cancellationToken);

    private void ReleaseAll(List<string> keys)
    {
        foreach (var key in keys)
        {
            Entry entry;
            lock (_entries)
            {
                entry = _entries[key];
            }

            Leave(key, entry, release: true);
        }
    }

    private void Leave(string key, Entry entry, bool release)
    {
        if (release)
        {
            entry.Gate.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Held(ParentWriteLocks owner, List<string> keys) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.ReleaseAll(keys);
            }
        }
    }
}
