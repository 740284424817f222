using System.Text.RegularExpressions;

namespace MedTechTracker.Storage;

/// <summary>Jira project keys: an uppercase letter, then uppercase letters, digits or underscores (MED, IEC_62304).</summary>
public static partial class ProjectKey
{
    public const string Rule = "an uppercase letter followed by uppercase letters, digits or underscores, e.g. MED";

    public static bool IsValid(string? key) => key is not null && Pattern().IsMatch(key);

    [GeneratedRegex("^[A-Z][A-Z0-9_]{1,254}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
