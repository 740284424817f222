using System.Text.RegularExpressions;

namespace MedTechTracker.Tests.Rules;

/// <summary>
/// The slow, obviously correct matcher the automaton is checked against: tries every start position,
/// no automaton, no normalisation of the text; tokens are recognised by anchored regular expressions.
/// </summary>
internal static partial class ReferenceMatcher
{
    public static bool Contains(string text, string phrase) => Occurrences(text, phrase).Any();

    /// <summary>Every (first, last) character index where the phrase hits on word boundaries.</summary>
    public static IEnumerable<(int Start, int End)> Occurrences(string text, string phrase)
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

                switch (tokens[t])
                {
                    case "{word}":
                        var word = WordToken().Match(text, i);
                        matched = word.Success;
                        i += word.Length;
                        break;
                    case "{version}":
                        var version = VersionToken().Match(text, i);
                        matched = version.Success && IsVersion(version.Value);
                        i += version.Length;
                        break;
                    default:
                        foreach (var c in tokens[t])
                        {
                            if (i >= text.Length || Fold(text[i]) != Fold(c))
                            {
                                matched = false;
                                break;
                            }

                            i++;
                        }

                        break;
                }
            }

            if (matched && (i == text.Length || !char.IsLetterOrDigit(text[i])))
            {
                yield return (start, i - 1);
            }
        }
    }

    /// <summary>Every member (any of its alternatives) hits; with <paramref name="within"/> &gt; 0, one hit of each fits in a stretch of that many words.</summary>
    public static bool AllOf(string text, IReadOnlyList<string[]> members, int within)
    {
        var occurrences = members.Select(alternatives => alternatives.SelectMany(p => Occurrences(text, p)).ToList()).ToList();
        if (occurrences.Any(o => o.Count == 0))
        {
            return false;
        }

        return within == 0 || Combinations(occurrences, 0, int.MaxValue, -1).Any(window =>
            Words().Count(text[window.Start..(window.End + 1)]) <= within);
    }

    private static IEnumerable<(int Start, int End)> Combinations(List<List<(int Start, int End)>> lists, int index, int start, int end)
    {
        if (index == lists.Count)
        {
            yield return (start, end);
            yield break;
        }

        foreach (var (s, e) in lists[index])
        {
            foreach (var window in Combinations(lists, index + 1, Math.Min(start, s), Math.Max(end, e)))
            {
                yield return window;
            }
        }
    }

    private static bool IsVersion(string value) =>
        (value.Length > 1 && value[0] is 'v' or 'V' && char.IsAsciiDigit(value[1])) || (char.IsAsciiDigit(value[0]) && value.Contains('.'));

    private static List<string> Tokens(string phrase) =>
        [.. phrase.Split([' ', '-', '_', '/', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    public static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is '-' or '_' or '/';

    private static char Fold(char c) => char.ToLowerInvariant(char.ToUpperInvariant(c));

    [GeneratedRegex(@"\G(?>[\p{L}\p{Nd}]+(?:[.+#@][\p{L}\p{Nd}]+)*)[+#]*")]
    private static partial Regex WordToken();

    [GeneratedRegex(@"\G(?>[\p{L}\p{Nd}]+(?:\.[\p{L}\p{Nd}]+)*)")]
    private static partial Regex VersionToken();

    [GeneratedRegex(@"[\p{L}\p{Nd}]+")]
    private static partial Regex Words();
}
