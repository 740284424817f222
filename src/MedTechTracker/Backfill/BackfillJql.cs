using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MedTechTracker.Backfill;

/// <summary>
/// Builds the backfill query. The user's JQL is validated so that, once parenthesised and ANDed after the
/// project clause, it cannot escape the parentheses (balanced, quotes closed) or reorder the walk (no ORDER BY).
/// </summary>
public static partial class BackfillJql
{
    public const string DateFormat = "yyyy-MM-dd HH:mm";
    public const int MaxUserJqlLength = 2_000;

    public static string Build(string projectKey, DateTimeOffset? createdAfter, string? userJql)
    {
        if (ValidateProjectKey(projectKey) is { } keyError)
        {
            throw new ArgumentException(keyError, nameof(projectKey));
        }

        if (ValidateUserJql(userJql) is { } jqlError)
        {
            throw new ArgumentException(jqlError, nameof(userJql));
        }

        var jql = new StringBuilder($"project = {projectKey} AND issuetype not in subTaskIssueTypes()");
        if (createdAfter is { } after)
        {
            jql.Append(CultureInfo.InvariantCulture, $" AND created >= \"{after.ToUniversalTime().ToString(DateFormat, CultureInfo.InvariantCulture)}\"");
        }

        if (!string.IsNullOrWhiteSpace(userJql))
        {
            jql.Append(" AND (").Append(userJql.Trim()).Append(')');
        }

        return jql.Append(" ORDER BY created ASC").ToString();
    }

    /// <summary>The count query (no ORDER BY: approximate-count does not need one).</summary>
    public static string WithoutOrder(string jql) => jql.EndsWith(" ORDER BY created ASC", StringComparison.Ordinal) ? jql[..^" ORDER BY created ASC".Length] : jql;

    /// <summary>Null when valid, else a reason a person can act on.</summary>
    public static string? ValidateProjectKey(string? projectKey) =>
        Storage.ProjectKey.IsValid(projectKey)
            ? null
            : $"The project key must be a Jira project key: {Storage.ProjectKey.Rule}.";

    /// <summary>Null when valid (or empty), else a reason a person can act on.</summary>
    public static string? ValidateUserJql(string? userJql)
    {
        if (string.IsNullOrWhiteSpace(userJql))
        {
            return null;
        }

        if (userJql.Length > MaxUserJqlLength)
        {
            return $"The JQL filter is longer than {MaxUserJqlLength} characters.";
        }

        var depth = 0;
        var outside = new StringBuilder(userJql.Length);
        for (var i = 0; i < userJql.Length; i++)
        {
            var c = userJql[i];
            if (c is '"' or '\'')
            {
                var end = i + 1;
                while (end < userJql.Length && userJql[end] != c)
                {
                    end += userJql[end] == '\\' ? 2 : 1;
                }

                if (end >= userJql.Length)
                {
                    return "The JQL filter has a quote that is never closed.";
                }

                outside.Append(' ');
                i = end;
                continue;
            }

            if (c == '\\')
            {
                return "The JQL filter has a backslash outside quotes; quote the value instead.";
            }

            if (char.IsControl(c) && !char.IsWhiteSpace(c))
            {
                return "The JQL filter contains a control character.";
            }

            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth < 0)
            {
                return "The JQL filter closes a parenthesis it never opened.";
            }

            outside.Append(c);
        }

        if (depth != 0)
        {
            return "The JQL filter leaves a parenthesis open.";
        }

        if (OrderByPattern().IsMatch(outside.ToString()))
        {
            return "The JQL filter may not contain ORDER BY: the backfill always walks issues by created date, oldest first.";
        }

        return null;
    }

    [GeneratedRegex(@"\border\s+by\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OrderByPattern();
}
