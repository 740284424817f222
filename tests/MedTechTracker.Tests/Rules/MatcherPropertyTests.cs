using FsCheck;
using FsCheck.Fluent;
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
            var rules = Compile([.. phrases.Select((p, i) => Rule($"r{i}", keywords: [p]))]);
            var fast = rules.Match(Issue(summary: text), SafetyClass.C).Select(m => m.RuleId).ToHashSet();
            var slow = phrases.Select((p, i) => (p, i)).Where(x => ReferenceContains(text, x.p)).Select(x => $"r{x.i}").ToHashSet();
            return fast.SetEquals(slow);
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
            var rules = Compile([.. phrases.Select((p, i) => Rule($"r{i}", keywords: [p]))]);
            var fast = rules.Match(Issue(description: text), SafetyClass.C).Select(m => m.RuleId).ToHashSet();
            var slow = phrases.Select((p, i) => (p, i)).Where(x => ReferenceContains(text, x.p)).Select(x => $"r{x.i}").ToHashSet();
            return fast.SetEquals(slow);
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
            var rules = Compile(Rule(keywords: [keyword], exclude: [exclusion]));
            var fires = rules.Match(Issue(description: text), SafetyClass.C).Count == 1;
            return fires == (ReferenceContains(text, keyword) && !ReferenceContains(text, exclusion));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    /// <summary>Tries every start position; no automaton, no normalisation of the text.</summary>
    private static bool ReferenceContains(string text, string phrase)
    {
        var tokens = Tokens(phrase);
        for (var start = 0; start < text.Length; start++)
        {
            if (start > 0 && char.IsLetterOrDigit(text[start - 1]))
            {
                continue;
            }

            var i = start;
            var matched = true;
            for (var t = 0; t < tokens.Count && matched; t++)
            {
                if (t > 0)
                {
                    // Between tokens: one or more separators.
                    if (i >= text.Length || !IsSeparator(text[i]))
                    {
                        matched = false;
                        break;
                    }

                    while (i < text.Length && IsSeparator(text[i]))
                    {
                        i++;
                    }
                }

                foreach (var c in tokens[t])
                {
                    if (i >= text.Length || Fold(text[i]) != Fold(c))
                    {
                        matched = false;
                        break;
                    }

                    i++;
                }
            }

            if (matched && (i == text.Length || !char.IsLetterOrDigit(text[i])))
            {
                return true;
            }
        }

        return false;
    }

    private static List<string> Tokens(string phrase) =>
        [.. phrase.Split([' ', '-', '_', '/', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is '-' or '_' or '/';

    private static char Fold(char c) => char.ToLowerInvariant(char.ToUpperInvariant(c));
}
