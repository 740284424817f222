using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Admin keys by name: <c>Admin__Keys__&lt;name&gt;=&lt;hex SHA-256 of the key&gt;</c>. The key itself is never configured or stored.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long Jira's project list is cached for the admin page.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ProjectsCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Idle lifetime of an admin page session.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(1);
}
