using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using MedTechTracker.Cli;
using MedTechTracker.Validation;
using Microsoft.Extensions.Time.Testing;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Cli;

/// <summary><c>rules test</c> as a real process on a nine-case fixture corpus (tests/…/Cli/Fixtures/rules-test), copied so tests may change it.</summary>
public sealed partial class RulesTestProcessTests : IDisposable
{
    /// <summary>Words that occur only in the fixture issues' summaries and descriptions: none may ever be printed.</summary>
    private static readonly string[] IssueText =
    [
        "Quartzite", "Zanzibar", "Marmalade", "Pumpkin", "Vermilion", "mmol/L", "Team lunch", "cartridge is removed", "Occlusion", "line kinks", "Rename variables",
    ];

    private readonly string _temp = Directory.CreateTempSubdirectory("mtc-rules-test-").FullName;

    public RulesTestProcessTests()
    {
        var fixture = RepoFile("tests", "MedTechTracker.Tests", "Cli", "Fixtures", "rules-test");
        foreach (var file in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_temp, Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private string Rules => Path.Combine(_temp, "rules.json");

    private string Corpus => Path.Combine(_temp, "corpus");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task A_corpus_that_meets_the_thresholds_exits_0_with_per_rule_figures_and_every_miss_with_its_reason()
    {
        var (exit, stdout, _) = await Test("--min-recall", "0.4", "--min-precision", "0.6");

        Assert.Equal(0, exit);
        Assert.Matches(@"soup\s+1\s+1\s+1\s+0\.500\s+0\.500", stdout);
        Assert.Matches(@"risk\s+0\s+1\s+1\s+0\.000\s+0\.000", stdout);
        Assert.Matches(@"problem\s+1\s+0\s+0\s+1\.000\s+1\.000", stdout);
        Assert.Matches(@"ui\s+1\s+0\s+2\s+1\.000\s+0\.333", stdout);
        Assert.Matches(@"overall \(micro\)\s+3\s+2\s+4\s+0\.600\s+0\.429", stdout);
        Assert.Contains("cases free of a forbidden rule: 8 of 9 (0.889)", stdout);
        Assert.Contains("issues/PUMP-103.json PUMP-103: soup: excluded by phrase \u201cno new dependency\u201d in the description", stdout);
        Assert.Contains("issues/PUMP-104.json PUMP-104: risk: safety class gates it: the case is class A, the rule applies to class B, C only", stdout);
        Assert.Contains("issues/PUMP-105.json PUMP-105: ui: appliesTo: the issue type 'Task' is not one of Story", stdout);
        Assert.Contains("issues/PUMP-106.json PUMP-106: ui: no phrase hit in the rule's fields (summary and description)", stdout);
        Assert.Contains("issues/PUMP-107.json PUMP-107: soup: fired because the summary contains the keyword \u201cSOUP\u201d", stdout);
        Assert.Contains("issues/PUMP-109.json PUMP-109: risk: fired because the summary contains the keyword \u201chazard\u201d", stdout);
        Assert.Contains("PASS: every threshold is met.", stdout);
        AssertNoIssueText(stdout);
    }

    [Theory]
    [InlineData("--min-recall", "0.5", "recall 0.429 is below the minimum 0.500")]
    [InlineData("--min-precision", "0.61", "precision 0.600 is below the minimum 0.610")]
    public async Task A_figure_below_its_threshold_exits_1_and_says_which(string option, string value, string expected)
    {
        var (exit, stdout, _) = await Test(option, value);

        Assert.Equal(1, exit);
        Assert.Contains($"FAIL: {expected}.", stdout);
    }

    [Fact]
    public async Task Without_thresholds_the_run_is_not_judged_and_exits_0()
    {
        var (exit, stdout, _) = await Test();
        Assert.Equal(0, exit);
        Assert.Contains("not judged", stdout);
    }

    [Fact]
    public async Task An_invalid_rules_file_exits_1_naming_the_rule_and_key()
    {
        File.WriteAllText(Rules, """{"version":1,"rules":[{"id":"soup","title":"T","standard":"S","clause":"C","keywords":["x"],"colour":"red"}]}""");
        var (exit, _, stderr) = await Test();
        Assert.Equal(1, exit);
        Assert.Contains("rule 'soup': 'colour': unknown key", stderr);
    }

    [Theory]
    [InlineData("unknown-rule", "labels.json: case 2 (issues/PUMP-102.json): 'expected': 'soupp' is not a rule of the rules file.")]
    [InlineData("malformed-issue", "issues/PUMP-105.json (case 5): is not valid JSON (line 1, position")]
    [InlineData("malformed-labels", "labels.json: is not valid JSON (line")]
    [InlineData("missing-issue", "labels.json: case 9 (issues/PUMP-109.json): 'file':")]
    [InlineData("outside-issues", "labels.json: case 1 (../rules.json): 'file': must be a file under issues/")]
    [InlineData("unknown-key", "labels.json: case 3 (issues/PUMP-103.json): 'forbiden': unknown key")]
    [InlineData("expected-and-forbidden", "labels.json: case 1 (issues/PUMP-101.json): rule 'soup' is both expected and forbidden.")]
    [InlineData("bad-safety-class", "labels.json: case 4 (issues/PUMP-104.json): 'safetyClass': must be \"A\", \"B\" or \"C\".")]
    [InlineData("not-an-issue", "issues/PUMP-106.json (case 6): is not a Jira issue: the issue has no 'key'.")]
    public async Task Bad_input_exits_2_naming_the_file_and_the_case(string damage, string expected)
    {
        var labels = Path.Combine(Corpus, "labels.json");
        var text = File.ReadAllText(labels);
        switch (damage)
        {
            case "unknown-rule": File.WriteAllText(labels, text.Replace("\"expected\": [\"problem\"]", "\"expected\": [\"soupp\"]", StringComparison.Ordinal)); break;
            case "malformed-issue": File.WriteAllText(Path.Combine(Corpus, "issues", "PUMP-105.json"), "{ \"key\": \"PUMP-105\", "); break;
            case "malformed-labels": File.WriteAllText(labels, text[..^3]); break;
            case "missing-issue": File.Delete(Path.Combine(Corpus, "issues", "PUMP-109.json")); break;
            case "outside-issues": File.WriteAllText(labels, text.Replace("issues/PUMP-101.json", "../rules.json", StringComparison.Ordinal)); break;
            case "unknown-key": File.WriteAllText(labels, text.Replace("{ \"file\": \"issues/PUMP-103.json\", ", "{ \"file\": \"issues/PUMP-103.json\", \"forbiden\": [], ", StringComparison.Ordinal)); break;
            case "expected-and-forbidden": File.WriteAllText(labels, text.Replace("\"forbidden\": [\"risk\"], \"topic\"", "\"forbidden\": [\"soup\"], \"topic\"", StringComparison.Ordinal)); break;
            case "bad-safety-class": File.WriteAllText(labels, text.Replace("\"safetyClass\": \"A\"", "\"safetyClass\": \"D\"", StringComparison.Ordinal)); break;
            case "not-an-issue": File.WriteAllText(Path.Combine(Corpus, "issues", "PUMP-106.json"), """{ "fields": { "summary": "Graph shows the wrong unit" } }"""); break;
        }

        var (exit, stdout, stderr) = await Test();

        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
        Assert.Empty(stdout);
        AssertNoIssueText(stderr);
        Assert.DoesNotContain("Graph shows", stderr);
    }

    [Theory]
    [InlineData("--corpus-missing")]
    [InlineData("--min-recall=1.5")]
    [InlineData("--report=report.txt")]
    public async Task An_unreadable_corpus_an_impossible_threshold_or_an_unknown_report_format_exits_2(string problem)
    {
        var args = problem switch
        {
            "--corpus-missing" => new[] { "rules", "test", "--rules", Rules, "--corpus", Path.Combine(_temp, "nowhere") },
            "--min-recall=1.5" => ["rules", "test", "--rules", Rules, "--corpus", Corpus, "--min-recall", "1.5"],
            _ => ["rules", "test", "--rules", Rules, "--corpus", Corpus, "--report", Path.Combine(_temp, "report.txt")],
        };

        var (exit, _, stderr) = await CliProcess.RunAsync(args);

        Assert.Equal(2, exit);
        Assert.NotEmpty(stderr);
    }

    [Fact]
    public async Task The_markdown_report_holds_version_hashes_date_figures_thresholds_verdict_and_misses_and_no_issue_text()
    {
        var report = Path.Combine(_temp, "validation.md");

        var (exit, _, _) = await Test("--min-recall", "0.5", "--report", report);

        Assert.Equal(1, exit);
        var markdown = File.ReadAllText(report);
        Assert.Contains("ISO 13485:2016 §4.1.6", markdown);
        Assert.Matches(@"\| Product version \| \d+\.\d+\.\d+", markdown);
        Assert.Contains($"| Rules SHA-256 | {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Rules)))} |", markdown);
        Assert.Contains($"| Corpus SHA-256 | {await ShellCorpusHash()} |", markdown);
        Assert.Matches(@"\| Date \(UTC\) \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|", markdown);
        Assert.Contains("| Recall (micro) | 0.500 | 0.429 | no |", markdown);
        Assert.Contains("| Precision (micro) | none | 0.600 | not judged |", markdown);
        Assert.Contains("Verdict: FAIL. recall 0.429 is below the minimum 0.500.", markdown);
        Assert.Contains("| ui | 1 | 0 | 2 | 1.000 | 0.333 |", markdown);
        Assert.Contains("| issues/PUMP-106.json | PUMP-106 | ui | no phrase hit in the rule's fields (summary and description) |", markdown);
        Assert.Contains("| issues/PUMP-107.json | PUMP-107 | soup | fired because the summary contains the keyword “SOUP” |", markdown);
        AssertNoIssueText(markdown);
    }

    [Fact]
    public async Task The_html_report_is_chosen_by_the_extension_and_is_one_file_without_script()
    {
        var report = Path.Combine(_temp, "validation.html");

        var (exit, _, _) = await Test("--min-recall", "0.4", "--report", report);

        Assert.Equal(0, exit);
        var html = File.ReadAllText(report);
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th scope=\"row\">soup</th><td>1</td><td>1</td><td>1</td><td>0.500</td><td>0.500</td></tr>", html);
        Assert.Contains("Verdict: PASS.", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        AssertNoIssueText(html);
    }

    [Fact]
    public async Task The_corpus_hash_is_the_documented_sha256sum_recipe_stable_across_runs_and_changed_by_any_issue_file()
    {
        var first = CorpusHashIn((await Test()).Stdout);
        var second = CorpusHashIn((await Test()).Stdout);
        File.AppendAllText(Path.Combine(Corpus, "issues", "PUMP-108.json"), " ");
        var changed = CorpusHashIn((await Test()).Stdout);

        Assert.Equal(first, second);
        Assert.NotEqual(first, changed);
        Assert.Equal(await ShellCorpusHash(), changed);
    }

    [Fact]
    public async Task Json_output_carries_the_figures_the_findings_and_the_verdict()
    {
        var (exit, stdout, _) = await Test("--json", "--min-precision", "0.9");

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("overall").GetProperty("tp").GetInt32());
        Assert.Equal(2, root.GetProperty("overall").GetProperty("fp").GetInt32());
        Assert.Equal(4, root.GetProperty("overall").GetProperty("fn").GetInt32());
        Assert.Equal(8, root.GetProperty("overall").GetProperty("casesWithoutForbidden").GetInt32());
        Assert.Equal("fail", root.GetProperty("verdict").GetString());
        Assert.Equal(
            ["missed", "missed", "missed", "missed", "forbiddenFired", "unexpected"],
            root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()));
        Assert.Equal(64, root.GetProperty("corpus").GetProperty("sha256").GetString()!.Length);
        AssertNoIssueText(stdout);
    }

    [Fact]
    public void The_report_date_comes_from_the_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.FromHours(2)));
        var report = Path.Combine(_temp, "dated.md");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = RulesTestCommand.Run(new RulesTestCommand.Request(Rules, Corpus, new AcceptanceCriteria(null, null), report, Json: false), time, stdout, stderr);

        Assert.Equal(0, exit);
        Assert.Contains("| Date (UTC) | 2031-02-03 02:05:06 UTC |", File.ReadAllText(report));
    }

    [Theory]
    [InlineData("dev", "0.90", "0.75")]
    [InlineData("heldout", "0.60", "0.53")]
    public async Task The_shipped_pack_passes_rules_test_on_each_shipped_corpus_at_the_floors_docs_rule_pack_md_states(string corpus, string minRecall, string minPrecision)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(
            ["rules", "test", "--rules", RepoFile("config", "rules.json"), "--corpus", RepoFile("config", "corpus", corpus), "--min-recall", minRecall, "--min-precision", minPrecision]);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("PASS: every threshold is met.", stdout);
        Assert.Contains($"{corpus}: recall {minRecall}, precision {minPrecision}", File.ReadAllText(RepoFile("docs", "rule-pack.md")));
    }

    private Task<(int Exit, string Stdout, string Stderr)> Test(params string[] extra) =>
        CliProcess.RunAsync(["rules", "test", "--rules", Rules, "--corpus", Corpus, .. extra]);

    private async Task<string> ShellCorpusHash()
    {
        var start = new ProcessStartInfo("bash", ["-c", "find labels.json issues -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum"])
        {
            WorkingDirectory = Corpus,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split(' ')[0];
    }

    private static string CorpusHashIn(string stdout) => CorpusLine().Match(stdout).Groups[1].Value;

    private static void AssertNoIssueText(string output)
    {
        foreach (var text in IssueText)
        {
            Assert.DoesNotContain(text, output, StringComparison.OrdinalIgnoreCase);
        }
    }

    [GeneratedRegex(@"Corpus: .* SHA-256 ([0-9a-f]{64})")]
    private static partial Regex CorpusLine();
}
