namespace MedTechTracker.Rules.Matching;

/// <summary>
/// A set of hit ids as the few 64-bit words of the hit set it touches. The forms of one keyword get
/// consecutive ids, so testing "did any form hit" is one or two AND operations instead of a loop.
/// </summary>
internal readonly struct HitMask
{
    private readonly int[] _words;
    private readonly ulong[] _masks;

    public HitMask(IEnumerable<int> ids)
    {
        var byWord = new SortedDictionary<int, ulong>();
        foreach (var id in ids)
        {
            byWord[id >> 6] = byWord.GetValueOrDefault(id >> 6) | (1UL << (id & 63));
        }

        _words = [.. byWord.Keys];
        _masks = [.. byWord.Values];
    }

    public bool Any(ReadOnlySpan<ulong> hits)
    {
        for (var i = 0; i < _words.Length; i++)
        {
            if ((hits[_words[i]] & _masks[i]) != 0)
            {
                return true;
            }
        }

        return false;
    }

    public bool Contains(int id)
    {
        var word = id >> 6;
        for (var i = 0; i < _words.Length; i++)
        {
            if (_words[i] == word)
            {
                return (_masks[i] & (1UL << (id & 63))) != 0;
            }
        }

        return false;
    }
}
