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
        var patternIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var patterns = new List<(int Anchor, PhrasePattern Pattern)>();

        int PhraseId(string normalized)
        {
            if (!phraseIds.TryGetValue(normalized, out var id))
            {
                id = phrases.Count;
                phraseIds[normalized] = id;
                phrases.Add(normalized);
            }

            return id;
        }

        // Token patterns get ids after all phrases, so they are numbered ~q until the phrase count is known.
        int IdOf(string form)
        {
            var normalized = PhraseNormalizer.Normalize(form);
            if (!PhrasePattern.HasTokens(normalized))
            {
                return PhraseId(normalized);
            }

            if (!patternIds.TryGetValue(normalized, out var q))
            {
                var pattern = PhrasePattern.Parse(normalized);
                q = patterns.Count;
                patternIds[normalized] = q;
                patterns.Add((PhraseId(pattern.Anchor), pattern));
            }

            return ~q;
        }

        CompiledKeyword Compile(Keyword keyword)
        {
            var forms = keyword.Members.Select(alternatives => alternatives.SelectMany(p => Inflections.Forms(p, keyword.Inflect)).Distinct().ToArray()).ToArray();
            return new CompiledKeyword(keyword, [.. forms.Select(f => f.Select(IdOf).ToArray())], forms);
        }

        _rules = [.. ruleSet.Rules.Select(rule => new CompiledRule(
            rule,
            [.. rule.Keywords.Select(Compile)],
            [.. rule.Exclude.Select(Compile)],
            rule.Fields.Contains(IssueField.Summary),
            rule.Fields.Contains(IssueField.Description),
            rule.IssueTypes.ToHashSet(FoldedNameComparer.Instance),
            rule.AppliesTo.ToHashSet(FoldedNameComparer.Instance),
            rule.SafetyClasses.Aggregate(0, (mask, c) => mask | (1 << (int)c))))];

        foreach (var keyword in _rules.SelectMany(r => r.Keywords.Concat(r.Exclude)))
        {
            foreach (var ids in keyword.MemberIds)
            {
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = ids[i] < 0 ? phrases.Count + ~ids[i] : ids[i];
                }
            }
        }

        _summaries = ruleSet.Rules.ToDictionary<Rule, Rule, string>(rule => rule, ruleSet.RenderSummary, ReferenceEqualityComparer.Instance);
        _automaton = new PhraseAutomaton(phrases, patterns);
    }

    public RuleSet RuleSet { get; }

    /// <summary>Distinct phrases compiled (every form of the keywords and exclusions of all rules, token phrases included).</summary>
    public int PhraseCount => _automaton.PhraseCount + _automaton.PatternCount;

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
                || IsExcluded(rule, issue, summaryHits, descriptionHits))
            {
                continue;
            }

            var match = FirstKeyword(rule, issue, summaryHits, descriptionHits);
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

    private bool IsExcluded(CompiledRule rule, IssueSnapshot issue, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits)
    {
        foreach (var keyword in rule.Exclude)
        {
            if ((rule.InSummary && Satisfied(keyword, summaryHits, issue.Summary))
                || (rule.InDescription && Satisfied(keyword, descriptionHits, issue.Description)))
            {
                return true;
            }
        }

        return false;
    }

    private RuleMatch? FirstKeyword(CompiledRule rule, IssueSnapshot issue, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits)
    {
        if (rule.InSummary)
        {
            foreach (var keyword in rule.Keywords)
            {
                if (Satisfied(keyword, summaryHits, issue.Summary))
                {
                    return new RuleMatch(rule.Rule, MatchReason.Keyword, "summary", keyword.Display, FormsHit(keyword, summaryHits));
                }
            }
        }

        if (rule.InDescription)
        {
            foreach (var keyword in rule.Keywords)
            {
                if (Satisfied(keyword, descriptionHits, issue.Description))
                {
                    return new RuleMatch(rule.Rule, MatchReason.Keyword, "description", keyword.Display, FormsHit(keyword, descriptionHits));
                }
            }
        }

        return null;
    }

    /// <summary>Every phrase of the keyword hit in this field (through any of its forms), and close enough when it must be.</summary>
    private bool Satisfied(CompiledKeyword keyword, ReadOnlySpan<ulong> hits, string text)
    {
        foreach (var ids in keyword.MemberIds)
        {
            if (FirstHit(ids, hits) < 0)
            {
                return false;
            }
        }

        return keyword.Source.Within == 0 || ProximityWindow.Fits(text, _automaton.Collect(text), keyword.MemberIds, keyword.Source.Within);
    }

    private static string FormsHit(CompiledKeyword keyword, ReadOnlySpan<ulong> hits)
    {
        var forms = new string[keyword.MemberIds.Length];
        for (var m = 0; m < forms.Length; m++)
        {
            forms[m] = keyword.MemberForms[m][Math.Max(0, FirstHit(keyword.MemberIds[m], hits))];
        }

        return string.Join(" + ", forms);
    }

    private static int FirstHit(int[] ids, ReadOnlySpan<ulong> hits)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if ((hits[id >> 6] & (1UL << (id & 63))) != 0)
            {
                return i;
            }
        }

        return -1;
    }
}
