using System.Globalization;

namespace MedTechTracker.Backfill;

/// <summary>
/// The page cursor stored in <see cref="Storage.BackfillJob.NextPageToken"/>: Jira's token, prefixed with the
/// restart anchor when the query had to be restarted after an expired token (a token belongs to its query,
/// so a resumed job must send the same restarted JQL with it).
/// </summary>
public readonly record struct BackfillCursor(DateTimeOffset? RestartedFrom, string? PageToken)
{
    private const string Prefix = "since:";

    public static BackfillCursor Parse(string? stored)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return new(null, stored);
        }

        var rest = stored.AsSpan(Prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 0 || !long.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return new(null, stored);
        }

        var token = rest[(colon + 1)..].ToString();
        return new(DateTimeOffset.FromUnixTimeMilliseconds(ms), token.Length == 0 ? null : token);
    }

    public string? ToStored() => RestartedFrom is { } from
        ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}{from.ToUnixTimeMilliseconds()}:{PageToken}")
        : PageToken;
}
