using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

public sealed class InflectionTests
{
    [Theory]
    [InlineData("dose", "doses", "dosed", "dosing")]
    [InlineData("alarm", "alarms", "alarmed", "alarming")]
    [InlineData("dependency", "dependencies", "dependencied", "dependencying")]
    [InlineData("patch", "patches", "patched", "patching")]
    [InlineData("log", "logs", "logged", "logging")]
    [InlineData("tie", "ties", "tied", "tying")]
    public void An_English_word_gets_its_regular_plural_past_and_ing_forms(string word, string plural, string past, string ing)
    {
        var forms = Inflections.WordForms(word).ToList();
        Assert.Contains(plural, forms);
        Assert.Contains(past, forms);
        Assert.Contains(ing, forms);
    }

    [Theory]
    [InlineData("Schnittstelle", "schnittstellen")]
    [InlineData("Anforderung", "anforderungen")]
    [InlineData("Sicherheit", "sicherheiten")]
    [InlineData("Funktion", "funktionen")]
    [InlineData("signal", "signaux")]
    [InlineData("niveau", "niveaux")]
    [InlineData("exigence", "exigences")]
    public void German_and_French_suffix_plurals_are_added(string word, string plural) =>
        Assert.Contains(plural, Inflections.WordForms(word));

    [Fact]
    public void An_acronym_only_gets_a_plural_s() =>
        Assert.Equal(["CVEs"], Inflections.WordForms("CVE"));

    [Theory]
    [InlineData("v2")]
    [InlineData("of")]
    [InlineData("62304")]
    [InlineData("e-mail")]
    public void Short_words_and_words_with_digits_are_not_inflected(string word) =>
        Assert.Empty(Inflections.WordForms(word));

    [Fact]
    public void Only_the_last_word_of_a_phrase_is_inflected()
    {
        Assert.True(Hits("dose limit", "the new dose limits apply"));
        Assert.False(Hits("dose limit", "the doses limit"));
    }

    [Fact]
    public void In_a_token_phrase_the_word_before_the_first_token_is_inflected()
    {
        Assert.Contains("upgraded {version}", Inflections.Forms("upgrade {version}"));
        Assert.True(Hits("upgrade {version}", "We upgraded 3.0.13 last week"));
    }

    [Fact]
    public void A_phrase_can_opt_out_of_inflection()
    {
        var exact = Compile(Rule() with { Keywords = [Keyword.Exact("limit")] });
        Assert.Empty(exact.Match(Issue(summary: "Limited edition"), SafetyClass.C));
        Assert.Single(exact.Match(Issue(summary: "the limit"), SafetyClass.C));
        Assert.True(Hits("limit", "Limited edition"));
    }

    [Fact]
    public void A_match_names_the_form_that_hit_and_the_keyword_it_came_from()
    {
        var match = Assert.Single(Compile(Rule(keywords: ["dose"])).Match(Issue(description: "Two doses were given"), SafetyClass.C));
        Assert.Equal(("dose", "doses"), (match.Keyword, match.Form));
        Assert.Equal("the description contains \u201cdoses\u201d (from the keyword \u201cdose\u201d)", match.Describe());
    }

    [Fact]
    public void Exclusions_are_inflected_too() =>
        Assert.Empty(Compile(Rule(keywords: ["dose"], exclude: ["no functional change"])).Match(Issue(summary: "dose text, no functional changes"), SafetyClass.C));
}
