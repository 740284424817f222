using FsCheck;
using FsCheck.Fluent;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Rules;

/// <summary>The compiled automaton must agree with a slow, obviously correct matcher on random texts and phrase sets.</summary>
public sealed class MatcherPropertyTests
{
    // A small alphabet makes hits, overlaps, boundaries and separator runs frequent.
    private static readonly char[] Alphabet = ['a', 'b', 'A', 'B', 'é', 'É', '1', ' ', '-', '_', '/', '\t', '.', ',', 'ß'];

    private static readonly Gen<string> Text = Gen.Elements(Alphabet).ArrayOf().Select(chars => new string(chars));

    private static readonly Gen<string> Phrase = Gen.Elements(Alphabet).NonEmptyListOf()
        .Select(chars => new string([.. chars]))
        .Where(p => p.Any(c => !IsSeparator(c)) && p.Length <= 8);

    [Fact]
    public void The_automaton_finds_exactly_the_phrases_the_reference_finds()
    {
        var cases = Gen.Zip(Phrase.NonEmptyListOf().Select(l => l.Distinct().Take(12).ToArray()), Text);
        Prop.ForAll(cases.ToArbitrary(), @case =>
        {
            var (phrases, text) = @case;
            return AgreesWithReference(phrases, Issue(summary: text), text);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void Long_texts_scanned_as_two_interleaved_walks_find_exactly_what_the_reference_finds()
    {
        // Long enough for the two-walk scan; matches straddling the middle are frequent with this alphabet.
        var longText = Gen.Choose(512, 1500).SelectMany(length => Gen.Elements(Alphabet).ArrayOf(length)).Select(chars => new string(chars));
        var cases = Gen.Zip(Phrase.NonEmptyListOf().Select(l => l.Distinct().Take(12).ToArray()), longText);
        Prop.ForAll(cases.ToArbitrary(), @case =>
        {
            var (phrases, text) = @case;
            return AgreesWithReference(phrases, Issue(description: text), text);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Theory]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(300)]
    [InlineData(1000)]
    public void A_phrase_straddling_the_middle_of_a_long_text_is_found(int middle)
    {
        var rules = Compile(Rule("straddle", keywords: ["third party library"]));
        var padding = new string('x', middle - 8) + " ";
        var text = padding + "third  -- party\t\t library" + " " + new string('y', middle);
        Assert.True(text.Length >= 512);
        Assert.Single(rules.Match(Issue(description: text), SafetyClass.C));
        Assert.Empty(rules.Match(Issue(description: padding.TrimEnd() + "third party library" + new string('y', middle)), SafetyClass.C));
    }

    [Fact]
    public void Exclusions_agree_with_the_reference()
    {
        var cases = Gen.Zip(Gen.Zip(Phrase, Phrase), Text);
        Prop.ForAll(cases.ToArbitrary(), @case =>
        {
            var ((keyword, exclusion), text) = @case;
            var rules = Compile(Rule() with { Keywords = [Keyword.Exact(keyword)], Exclude = [Keyword.Exact(exclusion)] });
            var fires = rules.Match(Issue(description: text), SafetyClass.C).Count == 1;
            return fires == (ReferenceContains(text, keyword) && !ReferenceContains(text, exclusion));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    // Tokens need digits, dots, 'v' and the word joiners.
    private static readonly char[] TokenAlphabet = ['a', 'b', 'A', 'v', 'V', '1', '2', '.', '+', '#', ' ', '-', '/', ',', 'é'];

    private static readonly Gen<string> TokenText = Gen.Elements(TokenAlphabet).ArrayOf().Select(chars => new string(chars));

    private static readonly Gen<string> LiteralWord = Gen.Elements('a', 'b', 'A', 'v', '1', '.').NonEmptyListOf()
        .Select(chars => new string([.. chars])).Where(w => w.Length <= 4);

    /// <summary>A literal first word, then up to three more words or tokens, joined by separators.</summary>
    private static readonly Gen<string> TokenPhrase = Gen.Zip(
            Gen.Zip(LiteralWord, Gen.OneOf(LiteralWord, Gen.Constant("{word}"), Gen.Constant("{version}")).ListOf().Select(l => l.Take(3).ToArray())),
            Gen.Elements(" ", "-", " / ", "_"))
        .Select(t => string.Join(t.Item2, [t.Item1.Item1, .. t.Item1.Item2]));

    [Fact]
    public void Token_phrases_hit_exactly_where_the_reference_finds_them()
    {
        var tokenHits = 0;
        var cases = Gen.Zip(TokenPhrase.NonEmptyListOf().Select(l => l.Distinct().Take(6).ToArray()), TokenText);
        Prop.ForAll(cases.ToArbitrary(), @case =>
        {
            var (phrases, text) = @case;
            tokenHits += phrases.Count(p => p.Contains('{') && ReferenceMatcher.Contains(text, p));
            return AgreesWithReference(phrases, Issue(summary: text), text);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));

        // The generators must actually produce token hits, or the property proves nothing.
        Assert.True(tokenHits > 30, $"only {tokenHits} token phrase hits");
    }

    [Fact]
    public void Token_phrases_in_long_texts_agree_with_the_reference()
    {
        var longText = Gen.Choose(512, 1200).SelectMany(length => Gen.Elements(TokenAlphabet).ArrayOf(length)).Select(chars => new string(chars));
        var cases = Gen.Zip(TokenPhrase.NonEmptyListOf().Select(l => l.Distinct().Take(6).ToArray()), longText);
        Prop.ForAll(cases.ToArbitrary(), @case =>
        {
            var (phrases, text) = @case;
            return AgreesWithReference(phrases, Issue(description: text), text);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void An_inflected_keyword_hits_exactly_where_one_of_its_forms_hits_in_the_reference()
    {
        var word = Gen.Elements("dose", "alarm", "library", "box", "stop", "Funktion", "signal", "SOUP", "niveau", "tie").SelectMany(w =>
            Gen.Elements("", "the ", "new ").Select(prefix => prefix + w));
        var textWord = Gen.Elements("dose", "doses", "dosed", "dosing", "alarms", "alarmed", "libraries", "boxes", "stopped", "stoping",
            "funktionen", "signaux", "SOUPs", "niveaux", "tying", "the", "new", "dosesx");
        var text = textWord.ArrayOf().SelectMany(words => Gen.Elements(" ", "-", ", ").Select(sep => string.Join(sep, words)));
        Prop.ForAll(Gen.Zip(word, text).ToArbitrary(), @case =>
        {
            var (keyword, t) = @case;
            var fires = Compile(Rule(keywords: [keyword])).Match(Issue(summary: t), SafetyClass.C).Count == 1;
            return fires == Inflections.Forms(keyword).Any(form => ReferenceMatcher.Contains(t, form));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void All_of_keywords_with_and_without_a_word_window_agree_with_the_reference()
    {
        int windowHits = 0, windowMisses = 0;
        // Members of one phrase or of two alternatives.
        var member = Gen.OneOf(Phrase.Select(p => new[] { p }), Gen.Zip(Phrase, Phrase).Select(t => new[] { t.Item1, t.Item2 }));
        var members = member.NonEmptyListOf().Select(l => l.Take(3).ToArray()).Where(l => l.Length >= 2);
        var cases = Gen.Zip(Gen.Zip(members, Gen.Elements(0, 2, 3, 5)), Text);
        Prop.ForAll(cases.ToArbitrary(), @case =>
        {
            var ((phrases, within), text) = @case;
            var keyword = new Keyword { Members = phrases, Within = within, Inflect = false };
            var fires = Compile(Rule() with { Keywords = [keyword] }).Match(Issue(description: text), SafetyClass.C).Count == 1;
            var expected = ReferenceMatcher.AllOf(text, phrases, within);
            windowHits += expected && within > 0 ? 1 : 0;
            windowMisses += !expected && within > 0 && ReferenceMatcher.AllOf(text, phrases, 0) ? 1 : 0;
            return fires == expected;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3000));

        Assert.True(windowHits > 30 && windowMisses > 30, $"window hits {windowHits}, misses only by distance {windowMisses}");
    }

    /// <summary>One exact-phrase rule per phrase: the rules that fire are exactly those whose phrase the reference finds.</summary>
    private static bool AgreesWithReference(string[] phrases, IssueSnapshot issue, string text)
    {
        var rules = Compile([.. phrases.Select((p, i) => Rule($"r{i}") with { Keywords = [Keyword.Exact(p)] })]);
        var fast = rules.Match(issue, SafetyClass.C).Select(m => m.RuleId).ToHashSet();
        var slow = phrases.Select((p, i) => (p, i)).Where(x => ReferenceContains(text, x.p)).Select(x => $"r{x.i}").ToHashSet();
        return fast.SetEquals(slow);
    }

    private static bool ReferenceContains(string text, string phrase) => ReferenceMatcher.Contains(text, phrase);

    private static bool IsSeparator(char c) => ReferenceMatcher.IsSeparator(c);
}
