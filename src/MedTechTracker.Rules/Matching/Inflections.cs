namespace MedTechTracker.Rules.Matching;

/// <summary>
/// The regular inflected forms of a phrase, added when rules are compiled. One word of the phrase is
/// inflected: its last word, or in a phrase with a token the word just before the first token
/// (<c>upgrade {version}</c> → <c>upgraded {version}</c>). Deterministic and purely suffix based:
/// <list type="bullet">
/// <item>English: plural/third person (-s, -es, -ies), past (-ed, -d, -ied) and -ing (dropping a final e,
/// doubling a final consonant after a single vowel as well as not doubling it).</item>
/// <item>German: the plurals that follow from the suffix (-ung, -heit, -keit, -schaft, -tät, -ion, -ur, -ik → +en;
/// -e → +n). Other German plurals (umlaut, -er, zero plural) are not regular and must be listed.</item>
/// <item>French: -al → -aux, -eau/-au/-eu → +x, otherwise +s (words in -s, -x, -z stay as they are).</item>
/// </list>
/// Words written in capitals (acronyms such as SOUP or CVE) only get a plural -s; words of fewer than
/// three letters and words holding anything but letters are never inflected. The engine does not know a
/// phrase's language, so it adds every form a suffix rule produces: a form no language uses never occurs
/// in a ticket and costs only automaton states.
/// </summary>
public static class Inflections
{
    private static readonly string[] GermanEnSuffixes = ["ung", "heit", "keit", "schaft", "tät", "ion", "ur", "ik"];

    /// <summary>The phrase first, then its inflected forms, without duplicates (compared after normalisation).</summary>
    public static IReadOnlyList<string> Forms(string phrase, bool inflect = true)
    {
        var trimmed = phrase.Trim();
        if (!inflect)
        {
            return [trimmed];
        }

        var (start, length) = TargetWord(trimmed);
        if (length == 0)
        {
            return [trimmed];
        }

        var word = trimmed.Substring(start, length);
        var forms = new List<string> { trimmed };
        var seen = new HashSet<string>(StringComparer.Ordinal) { PhraseNormalizer.Normalize(trimmed) };
        foreach (var form in WordForms(word))
        {
            var candidate = string.Concat(trimmed.AsSpan(0, start), form, trimmed.AsSpan(start + length));
            if (seen.Add(PhraseNormalizer.Normalize(candidate)))
            {
                forms.Add(candidate);
            }
        }

        return forms;
    }

    /// <summary>The inflected forms of one word (not including the word itself).</summary>
    public static IEnumerable<string> WordForms(string word)
    {
        if (word.Length < 2 || !word.All(char.IsLetter))
        {
            yield break;
        }

        if (word.All(char.IsUpper))
        {
            yield return word + "s";
            yield break;
        }

        if (word.Length < 3)
        {
            yield break;
        }

        var w = word.ToLowerInvariant();
        var last = w[^1];
        var consonantY = last == 'y' && !IsVowel(w[^2]);

        // English plural / third person.
        yield return w.EndsWith('s') || w.EndsWith('x') || w.EndsWith('z') || w.EndsWith("ch", StringComparison.Ordinal) || w.EndsWith("sh", StringComparison.Ordinal)
            ? w + "es"
            : consonantY ? w[..^1] + "ies" : w + "s";

        // English past and -ing (not for words that already are one).
        if (!w.EndsWith("ing", StringComparison.Ordinal) && !w.EndsWith("ed", StringComparison.Ordinal))
        {
            yield return last == 'e' ? w + "d" : consonantY ? w[..^1] + "ied" : w + "ed";
            yield return w.EndsWith("ie", StringComparison.Ordinal) ? w[..^2] + "ying"
                : last == 'e' && !w.EndsWith("ee", StringComparison.Ordinal) ? w[..^1] + "ing"
                : w + "ing";
            if (IsConsonant(last) && last is not ('w' or 'x' or 'y') && IsVowel(w[^2]) && IsConsonant(w[^3]))
            {
                yield return w + last + "ed";
                yield return w + last + "ing";
            }
        }

        // German plurals that follow from the suffix.
        if (GermanEnSuffixes.Any(s => w.EndsWith(s, StringComparison.Ordinal)))
        {
            yield return w + "en";
        }
        else if (last == 'e')
        {
            yield return w + "n";
        }

        // French plurals (the plain +s is the English plural above).
        if (w.EndsWith("al", StringComparison.Ordinal))
        {
            yield return w[..^2] + "aux";
        }
        else if (w.EndsWith("au", StringComparison.Ordinal) || w.EndsWith("eu", StringComparison.Ordinal))
        {
            yield return w + "x";
        }
        else if (w.EndsWith('s') || w.EndsWith('x') || w.EndsWith('z'))
        {
            // French leaves these unchanged; the word itself is already a form.
        }
        else
        {
            yield return w + "s";
        }
    }

    /// <summary>The word to inflect: the last word, or the word before the first token.</summary>
    private static (int Start, int Length) TargetWord(string phrase)
    {
        var token = phrase.IndexOf('{', StringComparison.Ordinal);
        var end = token < 0 ? phrase.Length : token;
        while (end > 0 && CharClass.Kind(phrase[end - 1]) == CharClass.Separator)
        {
            end--;
        }

        var start = end;
        while (start > 0 && CharClass.Kind(phrase[start - 1]) != CharClass.Separator)
        {
            start--;
        }

        return (start, end - start);
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'ä' or 'ö' or 'ü' or 'é' or 'è' or 'ê';

    private static bool IsConsonant(char c) => c is >= 'a' and <= 'z' && !IsVowel(c);
}
