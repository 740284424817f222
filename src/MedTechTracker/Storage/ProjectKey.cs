namespace MedTechTracker.Storage;

/// <summary>
/// The one validator of Jira keys for the whole product (CLI, admin API, webhooks, backfills, store).
/// Project key: an uppercase letter, then 1-254 uppercase letters, digits or underscores (MED, IEC_62304).
/// Issue key: a project key, a dash and a number (MED-123). Nothing else is accepted: no lowercase, no
/// surrounding whitespace, no trailing newline.
/// </summary>
public static class ProjectKey
{
    public const string Rule = "an uppercase letter followed by uppercase letters, digits or underscores, e.g. MED";
    public const string IssueKeyRule = "a project key, a dash and the issue number, e.g. MED-123";

    private const int MaxLength = 255;
    private const int MaxIssueNumberDigits = 18;

    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    public static bool IsValid(string? key) =>
        key is { Length: >= 2 and <= MaxLength } && char.IsAsciiLetterUpper(key[0]) && key.AsSpan(1).IndexOfAnyExcept(Allowed) < 0;

    public static bool IsValidIssueKey(string? key)
    {
        var dash = key?.LastIndexOf('-') ?? -1;
        if (dash <= 0 || !IsValid(key![..dash]))
        {
            return false;
        }

        var number = key.AsSpan(dash + 1);
        return number.Length is > 0 and <= MaxIssueNumberDigits && number[0] != '0' && number.IndexOfAnyExceptInRange('0', '9') < 0;
    }
}
