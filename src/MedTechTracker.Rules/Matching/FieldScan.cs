namespace MedTechTracker.Rules.Matching;

/// <summary>
/// The positions of every hit in one field and where its words start, computed at most once per match
/// and only when a <c>within</c> entry has all its phrases hit in the field.
/// </summary>
internal sealed class FieldScan(PhraseAutomaton automaton, string text)
{
    private Dictionary<int, List<(int Start, int End)>>? _byId;
    private int[]? _wordStarts;

    public string Text => text;

    /// <summary>Every hit of the field, grouped by hit id.</summary>
    public Dictionary<int, List<(int Start, int End)>> HitsById => _byId ??= Group(automaton.Collect(text));

    /// <summary>Entry i + 1 counts the word starts at or before character i.</summary>
    public int[] WordStarts => _wordStarts ??= CountWordStarts(text);

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

    private static int[] CountWordStarts(ReadOnlySpan<char> text)
    {
        var starts = new int[text.Length + 1];
        for (var i = 0; i < text.Length; i++)
        {
            var startsWord = CharClass.IsWordAt(text, i) && (i == 0 || !CharClass.IsWordAt(text, i - 1));
            starts[i + 1] = starts[i] + (startsWord ? 1 : 0);
        }

        return starts;
    }
}
