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
}
