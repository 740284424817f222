using MedTechTracker.Rules.Model;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

public sealed class CoOccurrenceTests
{
    private static IReadOnlyList<RuleMatch> Match(Keyword keyword, string summary = "", string description = "") =>
        Compile(Rule() with { Keywords = [keyword] }).Match(Issue(summary: summary, description: description), SafetyClass.C);

    [Fact]
    public void All_phrases_must_hit_in_the_same_field()
    {
        var keyword = Keyword.AllOf(0, "dose", "limit");
        Assert.Single(Match(keyword, description: "The limit of the dose"));
        Assert.Empty(Match(keyword, summary: "dose", description: "limit"));
        Assert.Empty(Match(keyword, description: "dose only"));
    }

    [Fact]
    public void Within_n_words_counts_the_words_from_the_first_hit_to_the_last()
    {
        var keyword = Keyword.AllOf(4, "dose", "limit");
        Assert.Single(Match(keyword, description: "maximum dose upper limit"));
        Assert.Single(Match(keyword, description: "limit for the dose"));
        Assert.Empty(Match(keyword, description: "dose is given; later the upper limit"));
    }

    [Fact]
    public void A_co_occurrence_names_the_forms_that_hit()
    {
        var match = Assert.Single(Match(Keyword.AllOf(5, "dose", "limit"), summary: "Doses above the limits"));
        Assert.Equal("all(dose, limit) within 5 words", match.Keyword);
        Assert.Equal("doses + limits", match.Form);
    }

    [Fact]
    public void A_co_occurrence_can_veto_as_an_exclusion()
    {
        var rules = Compile(Rule(keywords: ["alarm"]) with { Exclude = [Keyword.AllOf(3, "alarm", "clock")] });
        Assert.Empty(rules.Match(Issue(summary: "Alarm clock app"), SafetyClass.C));
        Assert.Single(rules.Match(Issue(summary: "Occlusion alarm"), SafetyClass.C));
    }

    [Fact]
    public void A_member_may_be_alternatives_of_which_any_one_hits()
    {
        var keyword = new Keyword { Members = [["upgrade", "bump"], ["OpenSSL", "zlib"]], Within = 4 };
        Assert.Single(Match(keyword, summary: "Bumped zlib"));
        Assert.Single(Match(keyword, summary: "OpenSSL: upgrade it"));
        Assert.Empty(Match(keyword, summary: "upgrade the UI"));
        Assert.Equal("all(upgrade|bump, OpenSSL|zlib) within 4 words", keyword.ToString());
    }
}
