using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MedTechTracker.Rules.Matching;

/// <summary>
/// All phrases of a rule set compiled into one Aho–Corasick automaton over a compressed alphabet,
/// so a text is scanned once whatever the number of phrases. Case folding and separator folding are
/// done while scanning (one table lookup per character); whole-word boundaries are checked only where
/// a phrase ends, by looking at the original text around it. No regex, no allocation.
/// </summary>
internal sealed class PhraseAutomaton
{
    public const int MaxPhraseLength = 200;
    private const int TwoWalkThreshold = 512;

    // Per raw UTF-16 unit: the alphabet class of its case fold (0 = in no phrase), and whether it is a separator.
    private const ushort SeparatorFlag = 0x8000;
    private const ushort ClassMask = 0x7FFF;

    private readonly ushort[] _charInfo;
    private readonly int _separatorClass;
    private readonly int _alphabetSize;

    // Transition table; entries are row offsets (state * alphabet size) so the hot loop needs no multiply.
    // States are numbered so that every state where a phrase ends comes last: "a phrase may end here"
    // is one comparison against _firstOutputRow instead of another table lookup.
    private readonly int[] _delta;
    private readonly int _firstOutputRow;
    private readonly int[] _outStart;
    private readonly int[] _outCount;
    private readonly int[] _outPhrases;
    private readonly int[] _phraseLength;
    private readonly int[] _depth;        // per state: how many normalized characters of a phrase prefix it stands for

    // Per phrase: the token patterns anchored on it (null when none); pattern q reports hit id PhraseCount + q.
    private readonly int[]?[]? _patternsAt;
    private readonly PhrasePattern[] _patterns;

    public PhraseAutomaton(IReadOnlyList<string> normalizedPhrases, IReadOnlyList<(int Anchor, PhrasePattern Pattern)>? patterns = null)
    {
        PhraseCount = normalizedPhrases.Count;
        patterns ??= [];
        _patterns = [.. patterns.Select(p => p.Pattern)];
        if (patterns.Count > 0)
        {
            _patternsAt = new int[]?[PhraseCount];
            for (var q = 0; q < patterns.Count; q++)
            {
                var anchor = patterns[q].Anchor;
                _patternsAt[anchor] = [.. _patternsAt[anchor] ?? [], q];
            }
        }

        _phraseLength = new int[PhraseCount];

        var alphabet = new Dictionary<char, ushort>();
        foreach (var phrase in normalizedPhrases)
        {
            if (phrase.Length is 0 or > MaxPhraseLength)
            {
                throw new ArgumentException($"A phrase must hold 1 to {MaxPhraseLength} characters.", nameof(normalizedPhrases));
            }

            foreach (var c in phrase)
            {
                if (!alphabet.ContainsKey(c))
                {
                    alphabet[c] = (ushort)(alphabet.Count + 1);
                }
            }
        }

        if (alphabet.Count >= ClassMask)
        {
            throw new ArgumentException("The phrases use too many distinct characters.", nameof(normalizedPhrases));
        }

        _alphabetSize = alphabet.Count + 1;
        _separatorClass = alphabet.TryGetValue(' ', out var sep) ? sep : 0;
        _charInfo = new ushort[char.MaxValue + 1];
        foreach (var (folded, cls) in alphabet)
        {
            foreach (var raw in CharClass.CharsFoldingTo(folded))
            {
                _charInfo[raw] = cls;
            }
        }

        var kinds = CharClass.Kinds;
        for (var i = 0; i <= char.MaxValue; i++)
        {
            if (kinds[i] == CharClass.Separator)
            {
                _charInfo[i] = (ushort)(_separatorClass | SeparatorFlag);
            }
        }

        var (delta, outputs, depth) = BuildDfa(normalizedPhrases, alphabet);
        var stateCount = outputs.Count;

        // Renumber: states without outputs first (the root is one of them: phrases are never empty).
        var order = Enumerable.Range(0, stateCount).OrderBy(s => outputs[s].Count > 0 ? 1 : 0).ThenBy(s => s).ToArray();
        var newId = new int[stateCount];
        for (var n = 0; n < stateCount; n++)
        {
            newId[order[n]] = n;
        }

        _delta = new int[stateCount * _alphabetSize];
        for (var s = 0; s < stateCount; s++)
        {
            for (var cls = 0; cls < _alphabetSize; cls++)
            {
                _delta[(newId[s] * _alphabetSize) + cls] = newId[delta[(s * _alphabetSize) + cls]] * _alphabetSize;
            }
        }

        var firstOutputState = order.TakeWhile(s => outputs[s].Count == 0).Count();
        _firstOutputRow = firstOutputState * _alphabetSize;
        _outStart = new int[stateCount];
        _outCount = new int[stateCount];
        var flat = new List<int>();
        for (var n = 0; n < stateCount; n++)
        {
            _outStart[n] = flat.Count;
            _outCount[n] = outputs[order[n]].Count;
            flat.AddRange(outputs[order[n]]);
        }

        _outPhrases = [.. flat];
        _depth = new int[stateCount];
        for (var n = 0; n < stateCount; n++)
        {
            _depth[n] = depth[order[n]];
        }

        StateCount = stateCount;
    }

    public int PhraseCount { get; }

    public int PatternCount => _patterns.Length;

    public int StateCount { get; }

    /// <summary>Number of <see cref="ulong"/> words a hit set for this automaton needs (phrases, then patterns).</summary>
    public int HitWords => (PhraseCount + PatternCount + 63) / 64;

    /// <summary>
    /// Scans <paramref name="text"/> once and sets bit p of <paramref name="hits"/> for every phrase p found on
    /// word boundaries, and bit PhraseCount + q for every token pattern q.
    /// </summary>
    public void Scan(ReadOnlySpan<char> text, Span<ulong> hits)
    {
        var sink = new BitSink(hits);
        Walk(text, ref sink);
    }

    /// <summary>Every hit with its first and last character index, in text order (one walk; for proximity checks).</summary>
    public List<(int Id, int Start, int End)> Collect(ReadOnlySpan<char> text, ulong[] ids)
    {
        var sink = new ListSink([], ids);
        ref var info = ref MemoryMarshal.GetArrayDataReference(_charInfo);
        ref var delta = ref MemoryMarshal.GetArrayDataReference(_delta);
        var row = 0;
        var separator = true;
        for (var i = 0; i < text.Length; i++)
        {
            Step(text, i, ref row, ref separator, ref sink, ref info, ref delta);
        }

        return sink.Hits;
    }

    private void Walk<TSink>(ReadOnlySpan<char> text, ref TSink hits)
        where TSink : IHitSink, allows ref struct
    {
        ref var info = ref MemoryMarshal.GetArrayDataReference(_charInfo);
        ref var delta = ref MemoryMarshal.GetArrayDataReference(_delta);
        if (text.Length < TwoWalkThreshold)
        {
            var row = 0;
            var separator = true;
            for (var i = 0; i < text.Length; i++)
            {
                Step(text, i, ref row, ref separator, ref hits, ref info, ref delta);
            }

            return;
        }

        // Each step waits for the previous table lookup, so one walk is bound by memory latency, not by work.
        // Two independent walks over the two halves, interleaved, let the CPU overlap their lookups.
        // The second walk starts from the root at the middle, so it finds every match that starts there or later;
        // the first walk goes on past the middle until no match it is inside of can have started before it.
        var middle = text.Length / 2;
        int rowA = 0, rowB = 0;
        bool separatorA = true, separatorB = true;
        for (var i = 0; i < middle; i++)
        {
            Step(text, i, ref rowA, ref separatorA, ref hits, ref info, ref delta);
            Step(text, middle + i, ref rowB, ref separatorB, ref hits, ref info, ref delta);
        }

        for (var i = middle * 2; i < text.Length; i++)
        {
            Step(text, i, ref rowB, ref separatorB, ref hits, ref info, ref delta);
        }

        var emittedSinceMiddle = 0;
        for (var i = middle; i < text.Length && _depth[rowA / _alphabetSize] > emittedSinceMiddle; i++)
        {
            if (Step(text, i, ref rowA, ref separatorA, ref hits, ref info, ref delta))
            {
                emittedSinceMiddle++;
            }
        }
    }

    /// <summary>One character: returns false when it was skipped as part of a separator run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Step<TSink>(ReadOnlySpan<char> text, int i, ref int row, ref bool previousWasSeparator, ref TSink hits, ref ushort info, ref int delta)
        where TSink : IHitSink, allows ref struct
    {
        int charInfo = Unsafe.Add(ref info, text[i]);
        if ((charInfo & SeparatorFlag) != 0)
        {
            // A run of separators is one separator.
            if (previousWasSeparator)
            {
                return false;
            }

            previousWasSeparator = true;
        }
        else
        {
            previousWasSeparator = false;
        }

        row = Unsafe.Add(ref delta, row + (charInfo & ClassMask));
        if (row >= _firstOutputRow)
        {
            Report(row / _alphabetSize, text, i, ref hits);
        }

        return true;
    }

    private void Report<TSink>(int state, ReadOnlySpan<char> text, int end, ref TSink hits)
        where TSink : IHitSink, allows ref struct
    {
        if (end + 1 < text.Length && CharClass.IsWordAt(text, end + 1))
        {
            return;
        }

        var start = _outStart[state];
        var stop = start + _outCount[state];
        for (var o = start; o < stop; o++)
        {
            var phrase = _outPhrases[o];
            var before = IndexBefore(text, end, _phraseLength[phrase]);
            if (before < 0 || !CharClass.IsWordAt(text, before))
            {
                hits.Hit(phrase, before + 1, end);
                if (_patternsAt?[phrase] is { } anchored)
                {
                    foreach (var q in anchored)
                    {
                        var patternEnd = _patterns[q].MatchAfter(text, end);
                        if (patternEnd >= 0)
                        {
                            hits.Hit(PhraseCount + q, before + 1, patternEnd);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The index of the character just before a match of <paramref name="normalizedLength"/> ending at <paramref name="end"/>.</summary>
    private static int IndexBefore(ReadOnlySpan<char> text, int end, int normalizedLength)
    {
        var j = end;
        for (var remaining = normalizedLength; remaining > 0; remaining--)
        {
            if (CharClass.Kind(text[j]) == CharClass.Separator)
            {
                while (j >= 0 && CharClass.Kind(text[j]) == CharClass.Separator)
                {
                    j--;
                }
            }
            else
            {
                j--;
            }
        }

        return j;
    }

    private (int[] Delta, List<List<int>> Outputs, List<int> Depth) BuildDfa(IReadOnlyList<string> phrases, Dictionary<char, ushort> alphabet)
    {
        var gotoTable = new List<int[]> { NewRow() };
        var outputs = new List<List<int>> { new() };
        var depth = new List<int> { 0 };
        for (var p = 0; p < phrases.Count; p++)
        {
            var phrase = phrases[p];
            _phraseLength[p] = phrase.Length;
            var state = 0;
            foreach (var c in phrase)
            {
                var cls = alphabet[c];
                if (gotoTable[state][cls] < 0)
                {
                    gotoTable[state][cls] = gotoTable.Count;
                    gotoTable.Add(NewRow());
                    outputs.Add(new());
                    depth.Add(depth[state] + 1);
                }

                state = gotoTable[state][cls];
            }

            outputs[state].Add(p);
        }

        // Failure links, breadth first, folded into a full transition table (a DFA).
        var stateCount = gotoTable.Count;
        var delta = new int[stateCount * _alphabetSize];
        var fail = new int[stateCount];
        var queue = new Queue<int>();
        for (var cls = 0; cls < _alphabetSize; cls++)
        {
            var next = gotoTable[0][cls];
            delta[cls] = next < 0 ? 0 : next;
            if (next > 0)
            {
                queue.Enqueue(next);
            }
        }

        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            outputs[state].AddRange(outputs[fail[state]]);
            for (var cls = 0; cls < _alphabetSize; cls++)
            {
                var next = gotoTable[state][cls];
                if (next < 0)
                {
                    delta[(state * _alphabetSize) + cls] = delta[(fail[state] * _alphabetSize) + cls];
                }
                else
                {
                    delta[(state * _alphabetSize) + cls] = next;
                    fail[next] = delta[(fail[state] * _alphabetSize) + cls];
                    queue.Enqueue(next);
                }
            }
        }

        return (delta, outputs, depth);

        int[] NewRow()
        {
            var row = new int[_alphabetSize];
            Array.Fill(row, -1);
            return row;
        }
    }
}
