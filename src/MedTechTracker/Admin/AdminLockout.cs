using System.Net;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>
/// Locks a client address out after <see cref="AdminOptions.LockoutThreshold"/> wrong admin keys in a row, for
/// 1 s, then 2 s, 4 s … up to <see cref="AdminOptions.LockoutMaxDuration"/>; a right key clears it. While locked,
/// no key is even compared. Bounded: the least recently failing addresses are forgotten first.
/// </summary>
public sealed class AdminLockout(IOptionsMonitor<AdminOptions> options, TimeProvider time)
{
    private const int MaxTracked = 10_000;

    private readonly Dictionary<string, Entry> _clients = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long the client must still wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _clients.TryGetValue(Key(client), out var entry) && entry.LockedUntil > now ? entry.LockedUntil - now : null;
        }
    }

    /// <summary>Records a wrong key; returns the lockout that now applies, if any.</summary>
    public TimeSpan? Failed(IPAddress? client)
    {
        var now = time.GetUtcNow();
        var settings = options.CurrentValue;
        lock (_lock)
        {
            var key = Key(client);
            if (!_clients.TryGetValue(key, out var entry))
            {
                if (_clients.Count >= MaxTracked)
                {
                    _clients.Remove(_clients.MinBy(c => c.Value.LastFailure).Key);
                }

                entry = new Entry();
                _clients[key] = entry;
            }

            entry.Failures++;
            entry.LastFailure = now;
            var beyond = entry.Failures - settings.LockoutThreshold;
            if (beyond < 0)
            {
                return null;
            }

            var seconds = Math.Min(Math.Pow(2, Math.Min(beyond, 30)), settings.LockoutMaxDuration.TotalSeconds);
            entry.LockedUntil = now + TimeSpan.FromSeconds(seconds);
            return entry.LockedUntil - now;
        }
    }

    public void Succeeded(IPAddress? client)
    {
        lock (_lock)
        {
            _clients.Remove(Key(client));
        }
    }

    private static string Key(IPAddress? client) => client?.ToString() ?? "unknown";

    private sealed class Entry
    {
        public int Failures { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset LockedUntil { get; set; }
    }
}
