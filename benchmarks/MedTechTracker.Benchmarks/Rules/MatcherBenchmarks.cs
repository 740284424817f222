using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Benchmarks.Rules;

/// <summary>
/// One multi-pattern automaton against the baseline of one compiled <c>\b…\b</c> IgnoreCase regex per keyword,
/// for the default pack and a synthetic pack of 1,000 keywords over 200 rules, on 200 B, 2 KB and 20 KB texts.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class MatcherBenchmarks
{
    private CompiledRuleSet _compiled = null!;
    private Regex[] _regexes = null!;
    private IssueSnapshot _issue = null!;
    private string _text = "";

    [Params("default", "synthetic-1000")]
    public string Pack { get; set; } = "default";

    [Params(200, 2_000, 20_000)]
    public int TextBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ruleSet = Pack == "default" ? RuleSetLoader.LoadFile(FindRepoFile("config/rules.json")) : SyntheticPack(rules: 200, keywordsPerRule: 5);
        _compiled = new CompiledRuleSet(ruleSet);
        var keywords = ruleSet.Rules.SelectMany(r => r.Keywords.Concat(r.Exclude)).SelectMany(k => k.Phrases).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _regexes = [.. keywords.Select(k => new Regex(@"\b" + Regex.Escape(k) + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled))];
        _text = IssueText(TextBytes, keywords);
        _issue = new IssueSnapshot { Key = "BENCH-1", IssueType = "Story", Summary = "", Description = _text };
    }

    [Benchmark(Baseline = true, Description = "Regex per keyword")]
    public int RegexPerKeyword()
    {
        var hits = 0;
        foreach (var regex in _regexes)
        {
            if (regex.IsMatch(_text))
            {
                hits++;
            }
        }

        return hits;
    }

    [Benchmark(Description = "Compiled automaton (Match)")]
    public int Automaton() => _compiled.Match(_issue, SafetyClass.C).Count;

    internal static RuleSet SyntheticPack(int rules, int keywordsPerRule)
    {
        var random = new Random(62304);
        var list = new List<Rule>();
        for (var r = 0; r < rules; r++)
        {
            var keywords = Enumerable.Range(0, keywordsPerRule)
                .Select(k => k % 3 == 0 ? $"{Word(random)} {Word(random)}" : Word(random) + r.ToString("x", System.Globalization.CultureInfo.InvariantCulture))
                .ToArray();
            list.Add(new Rule { Id = $"rule-{r}", Title = $"Rule {r}", Standard = "STD", Clause = "§1", Keywords = [.. keywords.Select(k => (Keyword)k)] });
        }

        return new RuleSet { Rules = list, Source = "synthetic" };
    }

    /// <summary>Prose-like text of the given size with a few keywords sprinkled in, as real issues have.</summary>
    internal static string IssueText(int bytes, IReadOnlyList<string> keywords)
    {
        string[] words =
        [
            "the", "pump", "firmware", "must", "report", "pressure", "values", "to", "clinician", "dashboard", "when",
            "alarm", "threshold", "is", "reached", "and", "the", "operator", "acknowledges", "it", "within", "ten",
            "seconds", "otherwise", "escalate", "via", "nurse", "call", "interface", "see", "attached", "logs", "for", "details",
        ];
        var random = new Random(14971);
        var text = new StringBuilder(bytes + 32);
        var i = 0;
        while (text.Length < bytes)
        {
            text.Append(i++ % 40 == 39 ? keywords[random.Next(keywords.Count)] : words[random.Next(words.Length)]);
            text.Append(i % 12 == 0 ? ".\n" : " ");
        }

        return text.ToString(0, bytes);
    }

    private static string Word(Random random)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        var length = random.Next(4, 11);
        return string.Create(length, random, (span, rnd) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = letters[rnd.Next(letters.Length)];
            }
        });
    }

    private static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var cwd = Path.Combine(Directory.GetCurrentDirectory(), relative);
        return File.Exists(cwd) ? cwd : throw new FileNotFoundException(relative);
    }
}
