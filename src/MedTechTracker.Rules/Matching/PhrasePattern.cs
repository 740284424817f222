namespace MedTechTracker.Rules.Matching;

/// <summary>
/// A phrase holding tokens (<c>{version}</c>, <c>{word}</c>). Its leading literal words (the anchor) go into
/// the automaton like any phrase; where the anchor hits, the rest of the phrase is checked forward from
/// there, literally and without backtracking. Tokens are whole words; a phrase may not begin with one.
/// </summary>
internal sealed class PhrasePattern
{
    public const string VersionToken = "{version}";
    public const string WordToken = "{word}";

    private readonly Element[] _rest;

    private PhrasePattern(string anchor, Element[] rest)
    {
        Anchor = anchor;
        _rest = rest;
    }

    /// <summary>The normalized leading literal words, matched by the automaton.</summary>
    public string Anchor { get; }

    public static bool HasTokens(string phrase) => phrase.Contains('{', StringComparison.Ordinal) || phrase.Contains('}', StringComparison.Ordinal);

    /// <summary>Why a phrase is not a valid token phrase, or null when it is (or has no tokens).</summary>
    public static string? Problem(string phrase)
    {
        if (!HasTokens(phrase))
        {
            return null;
        }

        var words = PhraseNormalizer.Normalize(phrase).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (word is VersionToken or WordToken)
            {
                if (i == 0)
                {
                    return $"may not begin with the token {word}: start it with a literal word";
                }

                continue;
            }

            if (word.Contains('{', StringComparison.Ordinal) || word.Contains('}', StringComparison.Ordinal))
            {
                return $"has '{word}': braces are reserved for the tokens {VersionToken} and {WordToken}, each a whole word";
            }
        }

        return null;
    }

    /// <summary>Parses a normalized phrase that passed <see cref="Problem"/> and holds tokens.</summary>
    public static PhrasePattern Parse(string normalized)
    {
        var words = normalized.Split(' ');
        var anchorLength = words.TakeWhile(w => w is not (VersionToken or WordToken)).Count();
        var rest = new List<Element>();
        var literal = new List<string>();
        foreach (var word in words.Skip(anchorLength))
        {
            if (word is VersionToken or WordToken)
            {
                if (literal.Count > 0)
                {
                    rest.Add(new Element(Token.None, string.Join(' ', literal)));
                    literal.Clear();
                }

                rest.Add(new Element(word == VersionToken ? Token.Version : Token.Word, null));
            }
            else
            {
                literal.Add(word);
            }
        }

        if (literal.Count > 0)
        {
            rest.Add(new Element(Token.None, string.Join(' ', literal)));
        }

        return new PhrasePattern(string.Join(' ', words.Take(anchorLength)), [.. rest]);
    }

    /// <summary>
    /// Where the whole phrase ends when its anchor ends at <paramref name="anchorEnd"/> (inclusive), or -1.
    /// Every element after the anchor follows a run of separators; the phrase must end on a word boundary.
    /// </summary>
    public int MatchAfter(ReadOnlySpan<char> text, int anchorEnd)
    {
        var i = anchorEnd + 1;
        foreach (var element in _rest)
        {
            if (i >= text.Length || CharClass.Kind(text[i]) != CharClass.Separator)
            {
                return -1;
            }

            while (i < text.Length && CharClass.Kind(text[i]) == CharClass.Separator)
            {
                i++;
            }

            i = element.Kind switch
            {
                Token.Version => MatchVersion(text, i),
                Token.Word => MatchWord(text, i),
                _ => MatchLiteral(text, i, element.Literal!),
            };
            if (i < 0)
            {
                return -1;
            }
        }

        return i < text.Length && CharClass.IsWordAt(text, i) ? -1 : i - 1;
    }

    /// <summary>Runs of letters and digits joined by single '.' characters (and, for words, '+', '#', '@').</summary>
    private static int JoinedRun(ReadOnlySpan<char> text, int i, bool anyJoiner, out int joins)
    {
        joins = 0;
        if (i >= text.Length || !CharClass.IsWordAt(text, i))
        {
            return -1;
        }

        while (true)
        {
            while (i < text.Length && CharClass.IsWordAt(text, i))
            {
                i++;
            }

            if (i + 1 < text.Length && (text[i] == '.' || (anyJoiner && text[i] is '+' or '#' or '@')) && CharClass.IsWordAt(text, i + 1))
            {
                joins++;
                i++;
                continue;
            }

            return i;
        }
    }

    private static int MatchWord(ReadOnlySpan<char> text, int i)
    {
        var end = JoinedRun(text, i, anyJoiner: true, out _);
        while (end >= 0 && end < text.Length && text[end] is '+' or '#')
        {
            end++;
        }

        return end;
    }

    /// <summary>A version: a digit, or v/V and a digit, starting a run of letters and digits joined by '.'; unless it starts with v it must hold a '.'.</summary>
    private static int MatchVersion(ReadOnlySpan<char> text, int i)
    {
        if (i >= text.Length)
        {
            return -1;
        }

        var prefixed = text[i] is 'v' or 'V' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]);
        if (!prefixed && !char.IsAsciiDigit(text[i]))
        {
            return -1;
        }

        var end = JoinedRun(text, i, anyJoiner: false, out var dots);
        return prefixed || dots > 0 ? end : -1;
    }

    private static int MatchLiteral(ReadOnlySpan<char> text, int i, string literal)
    {
        foreach (var c in literal)
        {
            if (c == ' ')
            {
                if (i >= text.Length || CharClass.Kind(text[i]) != CharClass.Separator)
                {
                    return -1;
                }

                while (i < text.Length && CharClass.Kind(text[i]) == CharClass.Separator)
                {
                    i++;
                }
            }
            else
            {
                if (i >= text.Length || CharClass.Fold(text[i]) != c)
                {
                    return -1;
                }

                i++;
            }
        }

        return i;
    }

    private enum Token
    {
        None,
        Version,
        Word,
    }

    private readonly record struct Element(Token Kind, string? Literal);
}
