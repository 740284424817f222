using System.Runtime.InteropServices;

namespace MedTechTracker.Rules.Matching;

/// <summary>
/// The positions of every hit in one field and where its words start, computed at most once per match
/// and only when a <c>within</c> entry has all its phrases hit in the field.
/// </summary>
internal sealed class FieldScan(PhraseAutomaton automaton, string text, ulong[] positionedIds)
{
    private Dictionary<int, List<(int Start, int End)>>? _byId;
    private List<int>? _wordStarts;

    public string Text => text;

    /// <summary>Every hit of the field whose id is in <c>positionedIds</c> (the members of `within` entries), grouped by hit id.</summary>
    public Dictionary<int, List<(int Start, int End)>> HitsById => _byId ??= Group(automaton.Collect(text, positionedIds));

    /// <summary>How many words start at a character from <paramref name="start"/> to <paramref name="end"/>, both included.</summary>
    public int WordsBetween(int start, int end)
    {
        var starts = CollectionsMarshal.AsSpan(_wordStarts ??= FindWordStarts(text));
        return AtOrBefore(starts, end) - AtOrBefore(starts, start - 1);
    }

    private static Dictionary<int, List<(int Start, int End)>> Group(List<(int Id, int Start, int End)> hits)
    {
        var byId = new Dictionary<int, List<(int Start, int End)>>();
        foreach (var (id, start, end) in hits)
        {
            if (!byId.TryGetValue(id, out var list))
            {
                byId[id] = list = [];
            }

            list.Add((start, end));
        }

        return byId;
    }

    /// <summary>The positions where a word starts, ascending (one pass; a word is a run of letters and digits).</summary>
    private static List<int> FindWordStarts(ReadOnlySpan<char> text)
    {
        var starts = new List<int>();
        var previous = false;
        for (var i = 0; i < text.Length; i++)
        {
            var word = CharClass.IsWordAt(text, i);
            if (word && !previous)
            {
                starts.Add(i);
            }

            previous = word;
        }

        return starts;
    }

    /// <summary>How many of the ascending, distinct positions are at or before <paramref name="index"/>.</summary>
    private static int AtOrBefore(ReadOnlySpan<int> positions, int index)
    {
        var found = positions.BinarySearch(index);
        return found >= 0 ? found + 1 : ~found;
    }
}
