using System.Text.Json;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Loading;

/// <summary>
/// Reads a rules file strictly: unknown keys, wrong types, bad ids, rules that can never fire,
/// empty phrases and over-long summaries are all errors, each naming the file, the rule and the key.
/// </summary>
public static class RuleSetLoader
{
    private static readonly HashSet<string> TopLevelKeys = ["$schema", "version", "summaryTemplate", "exclude", "rules"];

    private static readonly HashSet<string> RuleKeys =
    [
        "id", "title", "standard", "clause", "safetyClasses", "keywords", "exclude", "fields",
        "issueTypes", "appliesTo", "instructions", "evidence", "description",
    ];

    private static readonly HashSet<string> TemplatePlaceholders = ["{title}", "{standard}", "{clause}", "{id}"];

    /// <summary>Loads and validates a rules file from disk.</summary>
    public static RuleSet LoadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuleSetValidationException([new RuleValidationError(path, null, "(file)", $"cannot be read: {ex.Message}")]);
        }

        return Load(json, path);
    }

    /// <summary>Loads and validates rules from JSON text; <paramref name="source"/> names it in errors.</summary>
    public static RuleSet Load(string json, string source)
    {
        var errors = new List<RuleValidationError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new RuleSetValidationException([new RuleValidationError(source, null, "(json)", $"is not valid JSON: line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {FirstSentence(ex.Message)}")]);
        }

        using (document)
        {
            var ruleSet = Read(document.RootElement, source, errors);
            if (errors.Count > 0 || ruleSet is null)
            {
                throw new RuleSetValidationException(errors);
            }

            return ruleSet;
        }
    }

    /// <summary>Validates and returns every error instead of throwing.</summary>
    public static IReadOnlyList<RuleValidationError> Validate(string json, string source)
    {
        try
        {
            Load(json, source);
            return [];
        }
        catch (RuleSetValidationException ex)
        {
            return ex.Errors;
        }
    }

    private static RuleSet? Read(JsonElement root, string file, List<RuleValidationError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(file, null, "(root)", "must be a JSON object with 'version', 'summaryTemplate' and 'rules'"));
            return null;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!TopLevelKeys.Contains(property.Name))
            {
                errors.Add(new(file, null, property.Name, $"unknown key (allowed: {string.Join(", ", TopLevelKeys)})"));
            }
        }

        var version = 1;
        if (root.TryGetProperty("version", out var versionElement))
        {
            if (versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt32(out version) || version != 1)
            {
                errors.Add(new(file, null, "version", "must be the number 1"));
            }
        }
        else
        {
            errors.Add(new(file, null, "version", "is required (1)"));
        }

        var template = RuleSet.DefaultSummaryTemplate;
        if (root.TryGetProperty("summaryTemplate", out var templateElement))
        {
            if (templateElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(templateElement.GetString()))
            {
                errors.Add(new(file, null, "summaryTemplate", "must be a non-empty string"));
            }
            else
            {
                template = templateElement.GetString()!;
                foreach (var placeholder in Placeholders(template))
                {
                    if (!TemplatePlaceholders.Contains(placeholder))
                    {
                        errors.Add(new(file, null, "summaryTemplate", $"unknown placeholder {placeholder} (allowed: {string.Join(", ", TemplatePlaceholders)})"));
                    }
                }

                if (template.Contains('\n') || template.Contains('\r'))
                {
                    errors.Add(new(file, null, "summaryTemplate", "must be a single line (Jira summaries cannot hold line breaks)"));
                }
            }
        }

        if (!root.TryGetProperty("rules", out var rulesElement) || rulesElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(file, null, "rules", "is required and must be an array of rules"));
            return null;
        }

        // Pack-level excludes veto every rule (internal work, office IT …): written once, added to each rule's own.
        var packExclude = KeywordItems(root, "exclude", file, "(pack)", errors) ?? [];

        var rules = new List<Rule>();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var ruleElement in rulesElement.EnumerateArray())
        {
            var rule = ReadRule(ruleElement, index, file, template, packExclude, seenIds, errors);
            if (rule is not null)
            {
                rules.Add(rule);
            }

            index++;
        }

        if (index == 0)
        {
            errors.Add(new(file, null, "rules", "holds no rule"));
        }

        return new RuleSet { Version = version, SummaryTemplate = template, Rules = rules, Source = file };
    }

    private static Rule? ReadRule(JsonElement element, int index, string file, string template, IReadOnlyList<Keyword> packExclude, HashSet<string> seenIds, List<RuleValidationError> errors)
    {
        var label = $"#{index + 1}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(file, label, "(rule)", "must be a JSON object"));
            return null;
        }

        var errorCount = errors.Count;
        string? id = null;
        if (element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String)
        {
            id = idElement.GetString();
        }

        if (string.IsNullOrEmpty(id))
        {
            errors.Add(new(file, label, "id", "is required (a non-empty string of a-z, 0-9 and '-')"));
        }
        else
        {
            label = id;
            if (!id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                errors.Add(new(file, label, "id", "may hold only a-z, 0-9 and '-' (it becomes the label mtc-<id>)"));
            }
            else if (!seenIds.Add(id))
            {
                errors.Add(new(file, label, "id", "is a duplicate: another rule has the same id"));
            }
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!RuleKeys.Contains(property.Name))
            {
                errors.Add(new(file, label, property.Name, $"unknown key (allowed: {string.Join(", ", RuleKeys)})"));
            }
        }

        var title = RequiredString(element, "title", file, label, errors);
        var standard = RequiredString(element, "standard", file, label, errors);
        var clause = RequiredString(element, "clause", file, label, errors);
        var keywords = KeywordItems(element, "keywords", file, label, errors);
        var exclude = KeywordItems(element, "exclude", file, label, errors);
        var issueTypes = Phrases(element, "issueTypes", file, label, errors);
        var appliesTo = Phrases(element, "appliesTo", file, label, errors);
        var instructions = Phrases(element, "instructions", file, label, errors);
        var evidence = Phrases(element, "evidence", file, label, errors);

        var safetyClasses = new List<SafetyClass>();
        foreach (var value in Phrases(element, "safetyClasses", file, label, errors) ?? [])
        {
            if (value is "A" or "B" or "C")
            {
                safetyClasses.Add(Enum.Parse<SafetyClass>(value));
            }
            else
            {
                errors.Add(new(file, label, "safetyClasses", $"'{value}' is not a safety class (A, B or C)"));
            }
        }

        if (element.TryGetProperty("safetyClasses", out var sc) && sc.ValueKind == JsonValueKind.Array && sc.GetArrayLength() == 0)
        {
            errors.Add(new(file, label, "safetyClasses", "is empty, so the rule could never fire (omit it for all classes)"));
        }

        var fields = new List<IssueField>();
        foreach (var value in Phrases(element, "fields", file, label, errors) ?? [])
        {
            switch (value)
            {
                case "summary": fields.Add(IssueField.Summary); break;
                case "description": fields.Add(IssueField.Description); break;
                default: errors.Add(new(file, label, "fields", $"'{value}' is not a field (summary or description)")); break;
            }
        }

        if (element.TryGetProperty("fields", out var fe) && fe.ValueKind == JsonValueKind.Array && fe.GetArrayLength() == 0)
        {
            errors.Add(new(file, label, "fields", "is empty (omit it for both summary and description)"));
        }

        // Only say "can never fire" when the triggers are really absent, not when they were already reported as invalid.
        var triggersMistyped = errors.Skip(errorCount).Any(e => e.Key is "keywords" or "issueTypes");
        if (!triggersMistyped && (keywords is null || keywords.Count == 0) && (issueTypes is null || issueTypes.Count == 0))
        {
            errors.Add(new(file, label, "keywords", "the rule can never fire: it has no keywords and no issueTypes"));
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        var rule = new Rule
        {
            Id = id!,
            Title = title!,
            Standard = standard!,
            Clause = clause!,
            SafetyClasses = safetyClasses.Count > 0 ? safetyClasses.Distinct().ToArray() : [SafetyClass.A, SafetyClass.B, SafetyClass.C],
            Keywords = keywords ?? [],
            Exclude = [.. packExclude, .. exclude ?? []],
            Fields = fields.Count > 0 ? fields.Distinct().ToArray() : [IssueField.Summary, IssueField.Description],
            IssueTypes = issueTypes ?? [],
            AppliesTo = appliesTo ?? [],
            Instructions = instructions ?? [],
            Evidence = evidence ?? [],
        };

        var summary = new RuleSet { SummaryTemplate = template, Rules = [] }.RenderSummary(rule);
        if (summary.Length > RuleSet.MaxSummaryLength)
        {
            errors.Add(new(file, label, "title", $"the sub-task summary would be {summary.Length} characters; Jira allows at most {RuleSet.MaxSummaryLength}"));
            return null;
        }

        if (summary.Contains('\n') || summary.Contains('\r'))
        {
            errors.Add(new(file, label, "title", "the sub-task summary may not contain line breaks"));
            return null;
        }

        return rule;
    }

    private static readonly HashSet<string> KeywordObjectKeys = ["phrase", "all", "within", "inflect"];

    /// <summary>Keyword or exclusion entries: a phrase string, or an object with 'phrase' or 'all' (+ 'within'), and 'inflect'.</summary>
    private static List<Keyword>? KeywordItems(JsonElement element, string key, string file, string label, List<RuleValidationError> errors)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(file, label, key, "must be an array of phrases or {\"phrase\"|\"all\", \"within\", \"inflect\"} objects"));
            return null;
        }

        var result = new List<Keyword>();
        var position = 0;
        foreach (var item in value.EnumerateArray())
        {
            position++;
            var where = $"item {position}";
            if (item.ValueKind == JsonValueKind.String)
            {
                if (CheckPhrase(item.GetString()!, true, key, where, file, label, errors) is { } phrase)
                {
                    result.Add(phrase);
                }

                continue;
            }

            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(file, label, key, $"{where} must be a phrase string or an object"));
                continue;
            }

            var count = errors.Count;
            foreach (var property in item.EnumerateObject())
            {
                if (!KeywordObjectKeys.Contains(property.Name))
                {
                    errors.Add(new(file, label, key, $"{where}: unknown key '{property.Name}' (allowed: {string.Join(", ", KeywordObjectKeys)})"));
                }
            }

            var inflect = true;
            if (item.TryGetProperty("inflect", out var inflectElement))
            {
                if (inflectElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(new(file, label, key, $"{where}: 'inflect' must be true or false"));
                }
                else
                {
                    inflect = inflectElement.GetBoolean();
                }
            }

            var hasPhrase = item.TryGetProperty("phrase", out var phraseElement);
            var hasAll = item.TryGetProperty("all", out var allElement);
            var members = new List<List<string>>();
            if (hasPhrase == hasAll)
            {
                errors.Add(new(file, label, key, $"{where} needs exactly one of 'phrase' (a phrase) or 'all' (phrases that must all hit)"));
            }
            else if (hasPhrase)
            {
                if (phraseElement.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new(file, label, key, $"{where}: 'phrase' must be a string"));
                }
                else
                {
                    members.Add([phraseElement.GetString()!]);
                }
            }
            else if (allElement.ValueKind != JsonValueKind.Array || allElement.GetArrayLength() < 2 || !allElement.EnumerateArray().All(IsMember))
            {
                errors.Add(new(file, label, key, $"{where}: 'all' must be an array of at least 2 members, each a phrase or a non-empty array of alternative phrases"));
            }
            else
            {
                members.AddRange(allElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                    ? [e.GetString()!]
                    : e.EnumerateArray().Select(a => a.GetString()!).ToList()));
            }

            var within = 0;
            if (item.TryGetProperty("within", out var withinElement))
            {
                if (!hasAll)
                {
                    errors.Add(new(file, label, key, $"{where}: 'within' needs 'all'"));
                }
                else if (withinElement.ValueKind != JsonValueKind.Number || !withinElement.TryGetInt32(out within) || within is < 2 or > MaxWithin)
                {
                    errors.Add(new(file, label, key, $"{where}: 'within' must be a whole number of words from 2 to {MaxWithin}"));
                }
            }

            foreach (var phrase in members.SelectMany(m => m))
            {
                CheckPhrase(phrase, inflect, key, where, file, label, errors);
            }

            if (errors.Count == count)
            {
                result.Add(new Keyword { Members = [.. members.Select(m => (IReadOnlyList<string>)[.. m.Select(p => p.Trim())])], Within = within, Inflect = inflect });
            }
        }

        return result;
    }

    private const int MaxWithin = 200;

    private static Keyword? CheckPhrase(string text, bool inflect, string key, string where, string file, string label, List<RuleValidationError> errors)
    {
        if (PhraseNormalizer.Normalize(text).Length == 0)
        {
            errors.Add(new(file, label, key, $"{where} is an empty phrase"));
            return null;
        }

        if (PhrasePattern.Problem(text) is { } problem)
        {
            errors.Add(new(file, label, key, $"{where} ('{text.Trim()}') {problem}"));
            return null;
        }

        foreach (var form in Inflections.Forms(text, inflect))
        {
            if (PhraseNormalizer.Normalize(form).Length > PhraseAutomaton.MaxPhraseLength)
            {
                errors.Add(new(file, label, key, $"{where} is longer than {PhraseAutomaton.MaxPhraseLength} characters{(form.Trim() == text.Trim() ? "" : $" in its form '{form}'")}"));
                return null;
            }
        }

        return new Keyword { Members = [[text.Trim()]], Inflect = inflect };
    }

    private static bool IsMember(JsonElement member) =>
        member.ValueKind == JsonValueKind.String
        || (member.ValueKind == JsonValueKind.Array && member.GetArrayLength() > 0 && member.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String));

    private static string? RequiredString(JsonElement element, string key, string file, string label, List<RuleValidationError> errors)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            errors.Add(new(file, label, key, "is required"));
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add(new(file, label, key, "must be a non-empty string"));
            return null;
        }

        return value.GetString()!.Trim();
    }

    private static List<string>? Phrases(JsonElement element, string key, string file, string label, List<RuleValidationError> errors)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(file, label, key, "must be an array of strings"));
            return null;
        }

        var result = new List<string>();
        var position = 0;
        foreach (var item in value.EnumerateArray())
        {
            position++;
            if (item.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(file, label, key, $"item {position} must be a string"));
                continue;
            }

            var text = item.GetString()!;
            var normalizedLength = PhraseNormalizer.Normalize(text).Length;
            if (normalizedLength == 0)
            {
                errors.Add(new(file, label, key, $"item {position} is an empty phrase"));
                continue;
            }

            result.Add(text.Trim());
        }

        return result;
    }

    private static IEnumerable<string> Placeholders(string template)
    {
        var start = -1;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{')
            {
                start = i;
            }
            else if (template[i] == '}' && start >= 0)
            {
                yield return template[start..(i + 1)];
                start = -1;
            }
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
