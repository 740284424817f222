using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Admin keys by name: <c>Admin__Keys__&lt;name&gt;=&lt;hex SHA-256 of the key&gt;</c>. The key itself is never configured or stored.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Idle lifetime of an admin page session.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Absolute lifetime of an admin page session: however active, it ends this long after sign-in.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan SessionMaxLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Sign-in attempts per client address per minute (POST /admin/login); more get 429 with Retry-After.</summary>
    [Range(1, 10_000)]
    public int LoginPermitsPerMinute { get; set; } = 10;

    /// <summary>Admin API requests per client address per minute (the page polls once a second); more get 429.</summary>
    [Range(1, 1_000_000)]
    public int ApiPermitsPerMinute { get; set; } = 300;

    /// <summary>Wrong keys in a row from one client address before it is locked out (sign-in and API alike).</summary>
    [Range(1, 1000)]
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The longest lockout; each further wrong key doubles it (1 s, 2 s, 4 s …) up to this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutMaxDuration { get; set; } = TimeSpan.FromMinutes(15);
}
