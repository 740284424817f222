using System.Text.Json;
using MedTechTracker.Rules.Adf;
using MedTechTracker.Rules.Issues;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Validation;

/// <summary>
/// Reads a corpus directory strictly: <c>labels.json</c> (version 1, name, author, cases) and the Jira issues under
/// <c>issues/</c> that the cases name. Unknown keys, unknown rule ids, a rule both expected and forbidden, a file outside
/// <c>issues/</c> and malformed JSON are all errors naming the file and the case. Every byte hashed is the byte parsed.
/// </summary>
public static class CorpusLoader
{
    public const string LabelsFile = "labels.json";
    public const string IssuesDirectory = "issues";

    private static readonly HashSet<string> TopLevelKeys = ["$schema", "version", "name", "author", "cases"];
    private static readonly HashSet<string> CaseKeys = ["file", "safetyClass", "expected", "forbidden", "topic", "lang"];

    public static LabelledCorpus Load(string directory, IReadOnlySet<string> ruleIds)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new CorpusException($"{directory}: there is no such corpus directory (expected {LabelsFile} and {IssuesDirectory}/ inside it).");
        }

        var labelsPath = Path.Combine(root, LabelsFile);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [LabelsFile] = Read(labelsPath) };
        var issuesRoot = Path.Combine(root, IssuesDirectory);
        if (Directory.Exists(issuesRoot))
        {
            foreach (var path in Directory.EnumerateFiles(issuesRoot, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/')] = Read(path);
            }
        }

        using var labels = Parse(files[LabelsFile], labelsPath, new JsonDocumentOptions());
        var top = labels.RootElement;
        if (top.ValueKind != JsonValueKind.Object)
        {
            throw new CorpusException($"{labelsPath}: must be a JSON object {{\"version\": 1, \"name\", \"author\", \"cases\": [...]}}.");
        }

        RejectUnknownKeys(top, TopLevelKeys, labelsPath);
        if (!top.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != 1)
        {
            throw new CorpusException($"{labelsPath}: 'version': must be 1.");
        }

        var name = RequiredString(top, "name", labelsPath);
        var author = RequiredString(top, "author", labelsPath);
        if (!top.TryGetProperty("cases", out var casesElement) || casesElement.ValueKind != JsonValueKind.Array || casesElement.GetArrayLength() == 0)
        {
            throw new CorpusException($"{labelsPath}: 'cases': must be a non-empty array.");
        }

        var cases = new List<CorpusCase>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var element in casesElement.EnumerateArray())
        {
            number++;
            cases.Add(ReadCase(element, number, labelsPath, root, files, ruleIds, seen));
        }

        return new LabelledCorpus(root, name, author, v, CorpusHash.Compute(files.Select(f => (f.Key, f.Value))), files.Count, cases);
    }

    private static CorpusCase ReadCase(
        JsonElement element,
        int number,
        string labelsPath,
        string root,
        Dictionary<string, byte[]> files,
        IReadOnlySet<string> ruleIds,
        HashSet<string> seen)
    {
        var where = $"{labelsPath}: case {number}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CorpusException($"{where}: must be an object {{\"file\", \"safetyClass\", \"expected\", \"forbidden\"}}.");
        }

        var file = RequiredString(element, "file", where);
        where = $"{labelsPath}: case {number} ({file})";
        RejectUnknownKeys(element, CaseKeys, where);
        var relative = Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(root, file))).Replace(Path.DirectorySeparatorChar, '/');
        if (!relative.StartsWith(IssuesDirectory + "/", StringComparison.Ordinal) || relative.Contains("../", StringComparison.Ordinal))
        {
            throw new CorpusException($"{where}: 'file': must be a file under {IssuesDirectory}/ (such as {IssuesDirectory}/PUMP-101.json).");
        }

        if (!seen.Add(relative))
        {
            throw new CorpusException($"{where}: 'file': is labelled twice.");
        }

        if (!files.TryGetValue(relative, out var content))
        {
            throw new CorpusException($"{where}: 'file': {Path.Combine(root, relative)} does not exist.");
        }

        var safetyClass = SafetyClass.C;
        if (element.TryGetProperty("safetyClass", out var sc)
            && (sc.ValueKind != JsonValueKind.String || !Enum.TryParse(sc.GetString(), ignoreCase: false, out safetyClass) || !Enum.IsDefined(safetyClass) || int.TryParse(sc.GetString(), out _)))
        {
            throw new CorpusException($"{where}: 'safetyClass': must be \"A\", \"B\" or \"C\".");
        }

        var expected = RuleIdList(element, "expected", where, ruleIds);
        var forbidden = RuleIdList(element, "forbidden", where, ruleIds);
        if (expected.Intersect(forbidden, StringComparer.Ordinal).FirstOrDefault() is { } both)
        {
            throw new CorpusException($"{where}: rule '{both}' is both expected and forbidden.");
        }

        IssueSnapshot issue;
        var issuePath = Path.Combine(root, relative);
        using (var document = Parse(content, issuePath, AdfText.ParseOptions, $" (case {number})"))
        {
            try
            {
                issue = IssuePayloadReader.Read(document.RootElement);
            }
            catch (IssuePayloadException ex)
            {
                throw new CorpusException($"{issuePath} (case {number}): is not a Jira issue: {ex.Message}.");
            }
        }

        return new CorpusCase(number, relative, issue, safetyClass, expected, forbidden, OptionalString(element, "topic", where), OptionalString(element, "lang", where));
    }

    private static List<string> RuleIdList(JsonElement element, string key, string where, IReadOnlySet<string> ruleIds)
    {
        var ids = new List<string>();
        if (!element.TryGetProperty(key, out var list))
        {
            return ids;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new CorpusException($"{where}: '{key}': must be an array of rule ids.");
        }

        foreach (var item in list.EnumerateArray())
        {
            var id = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new CorpusException($"{where}: '{key}': every item must be a rule id string.");
            if (!ruleIds.Contains(id))
            {
                throw new CorpusException($"{where}: '{key}': '{id}' is not a rule of the rules file.");
            }

            if (ids.Contains(id, StringComparer.Ordinal))
            {
                throw new CorpusException($"{where}: '{key}': '{id}' is listed twice.");
            }

            ids.Add(id);
        }

        return ids;
    }

    private static byte[] Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CorpusException($"{path}: cannot be read: {ex.Message}");
        }
    }

    private static JsonDocument Parse(byte[] content, string path, JsonDocumentOptions options, string suffix = "")
    {
        var utf8 = content.AsMemory();
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        try
        {
            return JsonDocument.Parse(utf8, options);
        }
        catch (JsonException ex)
        {
            throw new CorpusException($"{path}{suffix}: is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}).");
        }
    }

    private static void RejectUnknownKeys(JsonElement element, HashSet<string> allowed, string where)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw new CorpusException($"{where}: '{property.Name}': unknown key (allowed: {string.Join(", ", allowed)}).");
            }
        }
    }

    private static string RequiredString(JsonElement element, string key, string where) =>
        element.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new CorpusException($"{where}: '{key}': must be a non-empty string.");

    private static string? OptionalString(JsonElement element, string key, string where) =>
        !element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new CorpusException($"{where}: '{key}': must be a string.");
}
