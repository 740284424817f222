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
    private readonly ulong[] _withinIds;
    private readonly CompiledRule[] _rules;
    private readonly Dictionary<Rule, string> _summaries;

    // Per 64-bit word of the hit set: the rules (as a bit set) with a keyword form in that word; and the
    // rules with issue-type triggers. Only these can fire, so the others are never looked at.
    private readonly ulong[][] _rulesByHitWord;
    private readonly ulong[] _rulesWithIssueTypes;
    private readonly int _ruleWords;

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

            keyword.MemberMasks = [.. keyword.MemberIds.Select(ids => new HitMask(ids))];
        }

        foreach (var rule in _rules)
        {
            rule.AnyKeyword = new HitMask(rule.Keywords.SelectMany(k => k.MemberIds.SelectMany(ids => ids)));
            rule.AnyExclusion = new HitMask(rule.Exclude.SelectMany(k => k.MemberIds.SelectMany(ids => ids)));
        }

        _ruleWords = (_rules.Length + 63) / 64;
        _rulesWithIssueTypes = new ulong[_ruleWords];
        var hitWords = (phrases.Count + patterns.Count + 63) / 64;
        _rulesByHitWord = [.. Enumerable.Range(0, hitWords).Select(_ => new ulong[_ruleWords])];
        for (var r = 0; r < _rules.Length; r++)
        {
            foreach (var id in _rules[r].Keywords.SelectMany(k => k.MemberIds.SelectMany(ids => ids)))
            {
                _rulesByHitWord[id >> 6][r >> 6] |= 1UL << (r & 63);
            }

            if (_rules[r].IssueTypes.Count > 0)
            {
                _rulesWithIssueTypes[r >> 6] |= 1UL << (r & 63);
            }
        }

        // Only hits of `within` members need positions: the second walk keeps just those.
        _withinIds = new ulong[hitWords];
        foreach (var id in _rules.SelectMany(r => r.Keywords.Concat(r.Exclude)).Where(k => k.Source.Within > 0).SelectMany(k => k.MemberIds.SelectMany(ids => ids)))
        {
            _withinIds[id >> 6] |= 1UL << (id & 63);
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
        var candidates = _ruleWords <= 16 ? stackalloc ulong[_ruleWords] : new ulong[_ruleWords];
        _rulesWithIssueTypes.CopyTo(candidates);
        for (var w = 0; w < summaryHits.Length; w++)
        {
            if ((summaryHits[w] | descriptionHits[w]) != 0)
            {
                var rules = _rulesByHitWord[w];
                for (var r = 0; r < candidates.Length; r++)
                {
                    candidates[r] |= rules[r];
                }
            }
        }

        List<RuleMatch>? matches = null;
        var issueType = issue.IssueType;
        var classBit = 1 << (int)safetyClass;
        FieldScan? summaryScan = null, descriptionScan = null;
        for (var word = 0; word < candidates.Length; word++)
        {
            // Set bits in increasing order keep the rule-file order.
            for (var bits = candidates[word]; bits != 0; bits &= bits - 1)
            {
                var rule = _rules[(word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits)];
                if ((rule.SafetyClassMask & classBit) == 0
                    || (rule.AppliesTo.Count > 0 && !rule.AppliesTo.Contains(issueType))
                    || IsExcluded(rule, issue, summaryHits, descriptionHits, ref summaryScan, ref descriptionScan))
                {
                    continue;
                }

                var match = FirstKeyword(rule, issue, summaryHits, descriptionHits, ref summaryScan, ref descriptionScan);
                if (match is null && rule.IssueTypes.Contains(issueType))
                {
                    match = new RuleMatch(rule.Rule, MatchReason.IssueType, "issuetype", issue.IssueType);
                }

                if (match is not null)
                {
                    (matches ??= []).Add(match);
                }
            }
        }

        return matches is null ? Array.Empty<RuleMatch>() : matches;
    }

    private bool IsExcluded(CompiledRule rule, IssueSnapshot issue, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits, ref FieldScan? summary, ref FieldScan? description)
    {
        var inSummary = rule.InSummary && rule.AnyExclusion.Any(summaryHits);
        var inDescription = rule.InDescription && rule.AnyExclusion.Any(descriptionHits);
        if (!inSummary && !inDescription)
        {
            return false;
        }

        foreach (var keyword in rule.Exclude)
        {
            if ((inSummary && Satisfied(keyword, summaryHits, issue.Summary, ref summary))
                || (inDescription && Satisfied(keyword, descriptionHits, issue.Description, ref description)))
            {
                return true;
            }
        }

        return false;
    }

    private RuleMatch? FirstKeyword(CompiledRule rule, IssueSnapshot issue, ReadOnlySpan<ulong> summaryHits, ReadOnlySpan<ulong> descriptionHits, ref FieldScan? summary, ref FieldScan? description)
    {
        if (rule.InSummary && rule.AnyKeyword.Any(summaryHits))
        {
            foreach (var keyword in rule.Keywords)
            {
                if (Satisfied(keyword, summaryHits, issue.Summary, ref summary))
                {
                    return new RuleMatch(rule.Rule, MatchReason.Keyword, "summary", keyword.Display, FormsHit(keyword, summaryHits));
                }
            }
        }

        if (rule.InDescription && rule.AnyKeyword.Any(descriptionHits))
        {
            foreach (var keyword in rule.Keywords)
            {
                if (Satisfied(keyword, descriptionHits, issue.Description, ref description))
                {
                    return new RuleMatch(rule.Rule, MatchReason.Keyword, "description", keyword.Display, FormsHit(keyword, descriptionHits));
                }
            }
        }

        return null;
    }

    /// <summary>Every phrase of the keyword hit in this field (through any of its forms), and close enough when it must be.</summary>
    private bool Satisfied(CompiledKeyword keyword, ReadOnlySpan<ulong> hits, string text, ref FieldScan? field)
    {
        foreach (var member in keyword.MemberMasks)
        {
            if (!member.Any(hits))
            {
                return false;
            }
        }

        return keyword.Source.Within == 0 || ProximityWindow.Fits(field ??= new FieldScan(_automaton, text, _withinIds), keyword.MemberMasks, keyword.Source.Within);
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
