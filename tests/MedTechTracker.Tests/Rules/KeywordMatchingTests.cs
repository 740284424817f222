using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

public sealed class KeywordMatchingTests
{
    [Theory]
    [InlineData("risk", "Update the risk file")]
    [InlineData("risk", "risk")]
    [InlineData("risk", "(risk)")]
    [InlineData("risk", "risk, hazard")]
    [InlineData("risk", "RISK")]
    [InlineData("SOUP", "update soup list")]
    [InlineData("open source", "an Open Source parser")]
    public void A_keyword_hits_a_whole_word_in_any_case(string keyword, string text) => Assert.True(Hits(keyword, text));

    [Theory]
    [InlineData("risk", "asterisk")]
    [InlineData("risk", "risky change")]
    [InlineData("risk", "risk2")]
    [InlineData("UI", "GUID")]
    [InlineData("UI", "guide")]
    [InlineData("CVE", "CVE2024")]
    [InlineData("SBOM", "xSBOM")]
    public void A_keyword_does_not_hit_inside_a_longer_word_or_number(string keyword, string text) => Assert.False(Hits(keyword, text));

    [Theory]
    [InlineData("third-party library", "uses a third party  library")]
    [InlineData("third-party library", "uses a third_party/library")]
    [InlineData("third party library", "a THIRD-PARTY-LIBRARY")]
    [InlineData("third_party library", "third\tparty\nlibrary")]
    [InlineData("a/b", "a - b")]
    public void Any_separator_run_in_a_phrase_matches_any_other_separator_run(string keyword, string text) => Assert.True(Hits(keyword, text));

    [Theory]
    [InlineData("third-party library", "thirdparty library")]
    [InlineData("third-party library", "third.party library")]
    public void Separators_are_only_whitespace_dash_underscore_and_slash(string keyword, string text) => Assert.False(Hits(keyword, text));

    [Theory]
    [InlineData("Größe", "die GRÖSSE ist egal", false)] // simple case folding: ß does not expand to ss
    [InlineData("größe", "Die GRÖßE der Datei", true)]
    [InlineData("überprüfung", "ÜBERPRÜFUNG der Anforderungen", true)]
    [InlineData("évaluation", "Évaluation clinique", true)]
    [InlineData("σ", "Σ", true)]
    [InlineData("kelvin", "\u212Aelvin", true)] // KELVIN SIGN folds to k
    [InlineData("risk", "ärisk", false)] // a non-ASCII letter is a letter
    [InlineData("risk", "1risk", false)]
    [InlineData("risk", "\U0001D400risk", false)] // a letter outside the BMP (surrogate pair) is a letter
    [InlineData("risk", "\U0001F600risk\U0001F600", true)] // an emoji is not
    public void Matching_folds_case_culture_invariantly_and_knows_non_ASCII_letters(string keyword, string text, bool expected) =>
        Assert.Equal(expected, Hits(keyword, text));

    [Fact]
    public void Keywords_are_literal_text_never_regular_expressions()
    {
        Assert.False(Hits("a.c", "abc"));
        Assert.True(Hits("a.c", "see a.c now"));
        Assert.True(Hits("C++", "ported to C++ now"));
        Assert.False(Hits("[x]", "x"));
    }

    [Fact]
    public void Overlapping_and_nested_phrases_are_all_found()
    {
        var rules = Compile(Rule("outer", keywords: ["risk analysis report"]), Rule("inner", keywords: ["analysis"]), Rule("suffix", keywords: ["is report"]));
        var matches = rules.Match(Issue(summary: "the risk analysis report"), SafetyClass.C);
        Assert.Equal(["outer", "inner"], matches.Select(m => m.RuleId));
    }

    [Fact]
    public void A_rule_reports_the_field_and_its_own_keyword_not_the_surrounding_text()
    {
        var rules = Compile(Rule(keywords: ["SOUP", "open source"]));
        var match = Assert.Single(rules.Match(Issue(summary: "Routine work", description: "Pull in an OPEN-SOURCE parser"), SafetyClass.C));
        Assert.Equal(MatchReason.Keyword, match.Reason);
        Assert.Equal("description", match.Field);
        Assert.Equal("open source", match.Keyword);
    }

    [Fact]
    public void A_hit_in_the_summary_is_reported_before_one_in_the_description()
    {
        var rules = Compile(Rule(keywords: ["SOUP", "open source"]));
        var match = Assert.Single(rules.Match(Issue(summary: "Update the SOUP list", description: "open source"), SafetyClass.C));
        Assert.Equal(("summary", "SOUP"), (match.Field, match.Keyword));
    }

    [Fact]
    public void A_rule_only_looks_at_its_own_fields()
    {
        var summaryOnly = Compile(Rule(keywords: ["hazard"], fields: [IssueField.Summary]));
        Assert.Empty(summaryOnly.Match(Issue(summary: "x", description: "a hazard"), SafetyClass.C));
        Assert.Single(summaryOnly.Match(Issue(summary: "a hazard"), SafetyClass.C));
    }

    [Fact]
    public void An_exclusion_in_a_rules_fields_stops_it_firing()
    {
        var rules = Compile(Rule(keywords: ["dependency"], exclude: ["dependency injection", "no new dependency"]));
        Assert.Empty(rules.Match(Issue(summary: "Refactor dependency injection", description: "adds a dependency"), SafetyClass.C));
        Assert.Empty(rules.Match(Issue(summary: "Bump version", description: "No new dependency; bumps a dependency"), SafetyClass.C));
        Assert.Single(rules.Match(Issue(summary: "Add a dependency"), SafetyClass.C));
    }

    [Fact]
    public void An_exclusion_outside_the_rules_fields_is_ignored()
    {
        var rules = Compile(Rule(keywords: ["dependency"], exclude: ["no new dependency"], fields: [IssueField.Summary]));
        Assert.Single(rules.Match(Issue(summary: "Add a dependency", description: "no new dependency"), SafetyClass.C));
    }

    [Fact]
    public void An_issue_type_trigger_fires_without_a_keyword_and_compares_case_insensitively()
    {
        var rules = Compile(Rule("problem", issueTypes: ["Bug"]));
        var match = Assert.Single(rules.Match(Issue(summary: "Crash on start", type: "BUG"), SafetyClass.C));
        Assert.Equal((MatchReason.IssueType, "issuetype", "BUG"), (match.Reason, match.Field, match.Keyword));
        Assert.Empty(rules.Match(Issue(summary: "Crash on start", type: "Story"), SafetyClass.C));
    }

    [Fact]
    public void An_exclusion_also_stops_an_issue_type_trigger()
    {
        var rules = Compile(Rule("problem", issueTypes: ["Bug"], exclude: ["typo"]));
        Assert.Empty(rules.Match(Issue(summary: "Fix typo in label", type: "Bug"), SafetyClass.C));
    }

    [Fact]
    public void AppliesTo_limits_a_rule_to_the_listed_issue_types()
    {
        var rules = Compile(Rule(keywords: ["hazard"], appliesTo: ["Story", "epic"]));
        Assert.Single(rules.Match(Issue(summary: "hazard", type: "Epic"), SafetyClass.C));
        Assert.Empty(rules.Match(Issue(summary: "hazard", type: "Task"), SafetyClass.C));
    }

    [Theory]
    [InlineData(SafetyClass.A, false)]
    [InlineData(SafetyClass.B, true)]
    [InlineData(SafetyClass.C, true)]
    public void A_rule_fires_only_for_its_safety_classes(SafetyClass projectClass, bool fires)
    {
        var rules = Compile(Rule(keywords: ["architecture"], classes: [SafetyClass.B, SafetyClass.C]));
        Assert.Equal(fires, rules.Match(Issue(summary: "New architecture"), projectClass).Count == 1);
    }

    [Fact]
    public void Sub_task_issues_never_fire_anything()
    {
        var rules = Compile(Rule(keywords: ["hazard"]), Rule("t", issueTypes: ["Sub-task"]));
        Assert.Empty(rules.Match(Issue(summary: "hazard", type: "Sub-task", subtask: true), SafetyClass.C));
    }

    [Fact]
    public void Rules_fire_in_rule_file_order_and_each_at_most_once()
    {
        var rules = Compile(Rule("b", keywords: ["hazard"]), Rule("a", keywords: ["hazard", "harm"]));
        var matches = rules.Match(Issue(summary: "hazard hazard harm", description: "hazard"), SafetyClass.C);
        Assert.Equal(["b", "a"], matches.Select(m => m.RuleId));
    }

    [Fact]
    public void Many_rules_sharing_a_phrase_compile_it_once()
    {
        var rules = Compile(Rule("a", keywords: ["Third-Party Library"]), Rule("b", keywords: ["third party library"]), Rule("c", exclude: ["THIRD_PARTY LIBRARY"], keywords: ["x"]));
        Assert.Equal(Inflections.Forms("third party library").Count + 1, rules.PhraseCount);
    }

    [Fact]
    public void More_than_64_phrases_use_more_than_one_hit_word()
    {
        var many = Enumerable.Range(0, 300).Select(i => Rule($"r{i}", keywords: [$"word{i}"])).ToArray();
        var matches = Compile(many).Match(Issue(summary: "word0 word63 word64 word299"), SafetyClass.C);
        Assert.Equal(["r0", "r63", "r64", "r299"], matches.Select(m => m.RuleId));
    }

    [Fact]
    public void An_empty_issue_fires_nothing() =>
        Assert.Empty(Compile(Rule(keywords: ["hazard"])).Match(Issue(), SafetyClass.C));

    [Fact]
    public void Matching_allocates_nothing_when_no_rule_fires()
    {
        var rules = Compile(Rule(keywords: ["hazard", "risk analysis"], issueTypes: ["Bug"]), Rule("b", keywords: ["SOUP"], appliesTo: ["Story"]));
        var issue = Issue(summary: "Speed up the build cache", description: string.Concat(Enumerable.Repeat("nothing to see in this long text, ", 100)));
        rules.Match(issue, SafetyClass.C);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matches = rules.Match(issue, SafetyClass.C);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(matches);
        Assert.Equal(0, allocated);
    }
}
