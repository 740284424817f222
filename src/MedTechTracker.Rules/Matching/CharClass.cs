using System.Text;

namespace MedTechTracker.Rules.Matching;

/// <summary>
/// Per-UTF-16-unit facts the matcher needs, computed once: the case-folded character,
/// whether it is a phrase separator (whitespace, '-', '_', '/'), a letter or digit, or a surrogate.
/// </summary>
internal static class CharClass
{
    public const byte Other = 0;
    public const byte Word = 1;
    public const byte Separator = 2;
    public const byte Surrogate = 3;

    private static readonly char[] FoldTable = BuildFold();
    private static readonly byte[] KindTable = BuildKinds();
    private static readonly Dictionary<char, List<char>> FoldedFrom = BuildInverse();

    public static ReadOnlySpan<byte> Kinds => KindTable;

    public static char Fold(char c) => FoldTable[c];

    public static byte Kind(char c) => KindTable[c];

    /// <summary>Every UTF-16 unit whose fold is <paramref name="folded"/> (usually itself and its other case).</summary>
    public static IEnumerable<char> CharsFoldingTo(char folded)
    {
        if (FoldTable[folded] == folded)
        {
            yield return folded;
        }

        if (FoldedFrom.TryGetValue(folded, out var others))
        {
            foreach (var other in others)
            {
                yield return other;
            }
        }
    }

    /// <summary>Whether the character at <paramref name="index"/> is a letter or digit, decoding surrogate pairs.</summary>
    public static bool IsWordAt(ReadOnlySpan<char> text, int index)
    {
        var kind = KindTable[text[index]];
        if (kind != Surrogate)
        {
            return kind == Word;
        }

        var start = char.IsLowSurrogate(text[index]) && index > 0 ? index - 1 : index;
        return Rune.DecodeFromUtf16(text[start..], out var rune, out _) == System.Buffers.OperationStatus.Done
            && Rune.IsLetterOrDigit(rune);
    }

    private static char[] BuildFold()
    {
        var table = new char[char.MaxValue + 1];
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            // Simple case folding, culture-invariant: upper then lower maps 'ſ'→'s', 'K' (Kelvin)→'k', 'ς'→'σ'.
            table[i] = char.IsSurrogate(c) ? c : char.ToLowerInvariant(char.ToUpperInvariant(c));
        }

        return table;
    }

    private static Dictionary<char, List<char>> BuildInverse()
    {
        var inverse = new Dictionary<char, List<char>>();
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var folded = FoldTable[i];
            if (folded != i)
            {
                if (!inverse.TryGetValue(folded, out var list))
                {
                    inverse[folded] = list = [];
                }

                list.Add((char)i);
            }
        }

        return inverse;
    }

    private static byte[] BuildKinds()
    {
        var table = new byte[char.MaxValue + 1];
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            table[i] = char.IsSurrogate(c) ? Surrogate
                : char.IsWhiteSpace(c) || c is '-' or '_' or '/' ? Separator
                : char.IsLetterOrDigit(c) ? Word
                : Other;
        }

        return table;
    }
}
