using System.Buffers;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Matching;

/// <summary>
/// A rule set ready to match: every keyword and exclusion of every rule in one automaton,
/// so each field of an issue is scanned exactly once.
/// </summary>
public sealed class CompiledRuleSet
{
    private readonly PhraseAutomaton _automaton;
    private readonly CompiledRule[] _rules;
    private readonly Dictionary<Rule, string> _summaries;

    public CompiledRuleSet(RuleSet ruleSet)
    {
        RuleSet = ruleSet;
        var phraseIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var phrases = new List<string>();

        int IdOf(string phrase)
        {
            var normalized = PhraseNormalizer.Normalize(phrase);
            if (!phraseIds.TryGetValue(normalized, out var id))
            {
                id = phrases.Count;
                phraseIds[normalized] = id;
                phrases.Add(normalized);
            }

            return id;
        }

        _rules = ruleSet.Rules.Select(rule => new CompiledRule(
            rule,
            rule.Keywords.Select(k => (IdOf(k), k)).ToArray(),
            rule.Exclude.Select(IdOf).ToArray(),
            rule.Fields.Contains(IssueField.Summary),
            rule.Fields.Contains(IssueField.Description),
            rule.IssueTypes.ToHashSet(FoldedNameComparer.Instance),
            rule.AppliesTo.ToHashSet(FoldedNameComparer.Instance),
            rule.SafetyClasses.Aggregate(0, (mask, c) => mask | (1 << (int)c)))).ToArray();
        _summaries = ruleSet.Rules.ToDictionary<Rule, Rule, string>(rule => rule, ruleSet.RenderSummary, ReferenceEqualityComparer.Instance);

        _automaton = new PhraseAutomaton(phrases);
    }

    public RuleSet RuleSet { get; }

    /// <summary>Distinct phrases compiled (keywords and exclusions of all rules).</summary>
    public int PhraseCount => _automaton.PhraseCount;

    internal int StateCount => _automaton.StateCount;

    /// <summary>The sub-task summary of one of this set's rules, rendered once when the set was compiled.</summary>
    public string SummaryOf(Rule rule) => _summaries[rule];

    /// <summary>The rules that fire for an issue in a project of the given safety class, in rule-file order.</summary>
    public IReadOnlyList<RuleMatch> Match(IssueSnapshot issue, SafetyClass safetyClass)
    {
        if (issue.IsSubtask)
        {
            return [];
        }

        var words = _automaton.HitWords;
        ulong[]? rented = null;
        var buffer = words * 2 <= 64
            ? stackalloc ulong[words * 2]
            : (rented = ArrayPool<ulong>.Shared.Rent(words * 2)).AsSpan(0, words * 2);
        buffer.Clear();
        try
        {
            var summaryHits = buffer[..words];
            var descriptionHits = buffer[words..];
            _automaton.Scan(issue.Summary, summaryHits);
            _automaton.Scan(issue.Description, descriptionHits);
            return Evaluate(issue, safetyClass, summaryHits, descriptionHits);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    private IReadOnlyList<RuleMatch> Evaluate(IssueSnapshot issue, SafetyClass safetyClass, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits)
    {
        List<RuleMatch>? matches = null;
        var issueType = issue.IssueType;
        var classBit = 1 << (int)safetyClass;
        foreach (var rule in _rules)
        {
            if ((rule.SafetyClassMask & classBit) == 0
                || (rule.AppliesTo.Count > 0 && !rule.AppliesTo.Contains(issueType))
                || IsExcluded(rule, summaryHits, descriptionHits))
            {
                continue;
            }

            var match = FirstKeyword(rule, summaryHits, descriptionHits);
            if (match is null && rule.IssueTypes.Contains(issueType))
            {
                match = new RuleMatch(rule.Rule, MatchReason.IssueType, "issuetype", issue.IssueType);
            }

            if (match is not null)
            {
                (matches ??= []).Add(match);
            }
        }

        return matches is null ? Array.Empty<RuleMatch>() : matches;
    }

    private static bool IsExcluded(CompiledRule rule, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits)
    {
        foreach (var phrase in rule.Exclude)
        {
            if ((rule.InSummary && Has(summaryHits, phrase)) || (rule.InDescription && Has(descriptionHits, phrase)))
            {
                return true;
            }
        }

        return false;
    }

    private static RuleMatch? FirstKeyword(CompiledRule rule, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits)
    {
        if (rule.InSummary)
        {
            foreach (var (phrase, keyword) in rule.Keywords)
            {
                if (Has(summaryHits, phrase))
                {
                    return new RuleMatch(rule.Rule, MatchReason.Keyword, "summary", keyword);
                }
            }
        }

        if (rule.InDescription)
        {
            foreach (var (phrase, keyword) in rule.Keywords)
            {
                if (Has(descriptionHits, phrase))
                {
                    return new RuleMatch(rule.Rule, MatchReason.Keyword, "description", keyword);
                }
            }
        }

        return null;
    }

    private static bool Has(ReadOnlySpan<ulong> hits, int phrase) => (hits[phrase >> 6] & (1UL << (phrase & 63))) != 0;

    private sealed record CompiledRule(
        Rule Rule,
        (int Phrase, string Keyword)[] Keywords,
        int[] Exclude,
        bool InSummary,
        bool InDescription,
        HashSet<string> IssueTypes,
        HashSet<string> AppliesTo,
        int SafetyClassMask);
}
