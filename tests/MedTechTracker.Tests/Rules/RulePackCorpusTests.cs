using System.Text.Json;
using MedTechTracker.Rules.Adf;
using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using Xunit.Abstractions;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

/// <summary>The default rule pack against a labelled corpus of realistic issues: the pack's regression test.</summary>
public sealed class RulePackCorpusTests(ITestOutputHelper output)
{
    private static readonly Lazy<RuleSet> DefaultPack = new(() => RuleSetLoader.LoadFile(RepoFile("config", "rules.json")));

    [Fact]
    public void The_default_pack_is_valid_and_spans_at_least_fifteen_rules()
    {
        var pack = DefaultPack.Value;
        Assert.True(pack.Rules.Count >= 15, $"only {pack.Rules.Count} rules");
        Assert.All(pack.Rules, rule =>
        {
            Assert.InRange(rule.Instructions.Count, 3, 6);
            Assert.NotEmpty(rule.Evidence);
        });
    }

    [Fact]
    public void The_default_pack_passes_rules_validate_through_its_schema_keys_too()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoFile("config", "rules.json")));
        Assert.Equal("./rules.schema.json", document.RootElement.GetProperty("$schema").GetString());
        Assert.True(File.Exists(RepoFile("config", "rules.schema.json")));
    }

    [Fact]
    public void The_corpus_has_at_least_eighty_labelled_issues_some_in_ADF_and_some_firing_nothing()
    {
        var corpus = LoadCorpus();
        Assert.True(corpus.Count >= 80, $"only {corpus.Count} corpus entries");
        Assert.True(corpus.Count(c => c.IsAdf) >= 5, "too few ADF descriptions");
        Assert.True(corpus.Count(c => c.Expected.Count == 0) >= 10, "too few issues that should fire nothing");
        var ruleIds = DefaultPack.Value.Rules.Select(r => r.Id).ToHashSet();
        Assert.All(corpus.SelectMany(c => c.Expected), id => Assert.Contains(id, ruleIds));
        Assert.All(ruleIds, id => Assert.Contains(corpus, c => c.Expected.Contains(id)));
    }

    [Fact]
    public void The_default_pack_has_full_recall_and_at_least_ninety_percent_precision_on_the_corpus()
    {
        var rules = new CompiledRuleSet(DefaultPack.Value);
        var perRule = DefaultPack.Value.Rules.ToDictionary(r => r.Id, _ => (Tp: 0, Fp: 0, Fn: 0));
        int tp = 0, fp = 0, fn = 0;
        foreach (var entry in LoadCorpus())
        {
            var fired = rules.Match(entry.Issue, entry.SafetyClass).Select(m => m.RuleId).ToHashSet();
            foreach (var id in fired.Union(entry.Expected))
            {
                var (isFired, isExpected) = (fired.Contains(id), entry.Expected.Contains(id));
                var counts = perRule[id];
                if (isFired && isExpected)
                {
                    tp++;
                    perRule[id] = counts with { Tp = counts.Tp + 1 };
                }
                else if (isFired)
                {
                    fp++;
                    perRule[id] = counts with { Fp = counts.Fp + 1 };
                    output.WriteLine($"false positive: {entry.Name} fired {id}");
                }
                else
                {
                    fn++;
                    perRule[id] = counts with { Fn = counts.Fn + 1 };
                    output.WriteLine($"missed: {entry.Name} should fire {id}");
                }
            }
        }

        var precision = tp + fp == 0 ? 1.0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 1.0 : (double)tp / (tp + fn);
        output.WriteLine($"{"rule",-34} {"tp",4} {"fp",4} {"fn",4}");
        foreach (var (id, c) in perRule)
        {
            output.WriteLine($"{id,-34} {c.Tp,4} {c.Fp,4} {c.Fn,4}");
        }

        output.WriteLine($"precision {precision:F3}, recall {recall:F3} (tp {tp}, fp {fp}, fn {fn})");
        Assert.True(recall == 1.0, $"recall {recall:F3}: {fn} expected rule firings missed");
        Assert.True(precision >= 0.9, $"precision {precision:F3} below 0.9");
    }

    internal sealed record CorpusEntry(string Name, IssueSnapshot Issue, SafetyClass SafetyClass, HashSet<string> Expected, bool IsAdf);

    internal static List<CorpusEntry> LoadCorpus()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "corpus.json")), AdfText.ParseOptions);
        var entries = new List<CorpusEntry>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var name = item.GetProperty("name").GetString()!;
            var description = item.TryGetProperty("description", out var d) ? d : default;
            var safetyClass = item.TryGetProperty("safetyClass", out var sc) ? Enum.Parse<SafetyClass>(sc.GetString()!) : SafetyClass.C;
            var issue = new IssueSnapshot
            {
                Key = name,
                IssueType = item.GetProperty("issueType").GetString()!,
                Summary = item.GetProperty("summary").GetString()!,
                Description = AdfText.FromDescription(description),
            };
            entries.Add(new CorpusEntry(name, issue, safetyClass, [.. item.GetProperty("expected").EnumerateArray().Select(e => e.GetString()!)], description.ValueKind == JsonValueKind.Object));
        }

        return entries;
    }
}
