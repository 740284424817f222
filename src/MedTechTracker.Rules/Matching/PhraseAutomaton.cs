namespace MedTechTracker.Rules.Matching;

/// <summary>
/// All phrases of a rule set compiled into one Aho–Corasick automaton over a compressed alphabet,
/// so a text is scanned once whatever the number of phrases. Case folding and separator folding are
/// done while scanning (one table lookup per character); whole-word boundaries are checked only
/// where a phrase ends, against a small ring of "was a letter or digit" flags. No regex, no allocation.
/// </summary>
internal sealed class PhraseAutomaton
{
    public const int MaxPhraseLength = 200;
    private const int RingSize = 256;
    private const int RingMask = RingSize - 1;

    private readonly ushort[] _classOf;   // raw UTF-16 unit → alphabet class (0 = not in any phrase)
    private readonly int _separatorClass;
    private readonly int _alphabetSize;
    private readonly int[] _delta;        // state * alphabet + class → next state
    private readonly int[] _outStart;     // per state: start in _outPhrases
    private readonly int[] _outCount;     // per state: how many phrases end here
    private readonly int[] _outPhrases;
    private readonly int[] _phraseLength;

    public PhraseAutomaton(IReadOnlyList<string> normalizedPhrases)
    {
        PhraseCount = normalizedPhrases.Count;
        _phraseLength = new int[PhraseCount];

        // Alphabet: class 0 is "any character no phrase contains".
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

        _alphabetSize = alphabet.Count + 1;
        _separatorClass = alphabet.TryGetValue(' ', out var sep) ? sep : 0;
        _classOf = new ushort[char.MaxValue + 1];
        foreach (var (folded, cls) in alphabet)
        {
            foreach (var raw in CharClass.CharsFoldingTo(folded))
            {
                _classOf[raw] = cls;
            }
        }

        // Trie.
        var gotoTable = new List<int[]> { NewRow() };
        var outputs = new List<List<int>> { new() };
        for (var p = 0; p < normalizedPhrases.Count; p++)
        {
            var phrase = normalizedPhrases[p];
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
                }

                state = gotoTable[state][cls];
            }

            outputs[state].Add(p);
        }

        // Failure links, breadth first, turned into a full transition table (a DFA).
        var stateCount = gotoTable.Count;
        _delta = new int[stateCount * _alphabetSize];
        var fail = new int[stateCount];
        var queue = new Queue<int>();
        for (var cls = 0; cls < _alphabetSize; cls++)
        {
            var next = gotoTable[0][cls];
            _delta[cls] = next < 0 ? 0 : next;
            if (next > 0)
            {
                fail[next] = 0;
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
                    _delta[(state * _alphabetSize) + cls] = _delta[(fail[state] * _alphabetSize) + cls];
                }
                else
                {
                    _delta[(state * _alphabetSize) + cls] = next;
                    fail[next] = _delta[(fail[state] * _alphabetSize) + cls];
                    queue.Enqueue(next);
                }
            }
        }

        _outStart = new int[stateCount];
        _outCount = new int[stateCount];
        var flat = new List<int>();
        for (var s = 0; s < stateCount; s++)
        {
            _outStart[s] = flat.Count;
            _outCount[s] = outputs[s].Count;
            flat.AddRange(outputs[s]);
        }

        _outPhrases = [.. flat];
        StateCount = stateCount;

        int[] NewRow()
        {
            var row = new int[_alphabetSize];
            Array.Fill(row, -1);
            return row;
        }
    }

    public int PhraseCount { get; }

    public int StateCount { get; }

    /// <summary>Number of <see cref="ulong"/> words a hit set for this automaton needs.</summary>
    public int HitWords => (PhraseCount + 63) / 64;

    /// <summary>Scans <paramref name="text"/> once and sets bit p of <paramref name="hits"/> for every phrase p found on word boundaries.</summary>
    public void Scan(ReadOnlySpan<char> text, Span<ulong> hits)
    {
        var kinds = CharClass.Kinds;
        var classOf = _classOf.AsSpan();
        var delta = _delta.AsSpan();
        var outCount = _outCount.AsSpan();
        Span<byte> ring = stackalloc byte[RingSize];
        var alphabetSize = _alphabetSize;
        var state = 0;
        var emitted = 0;
        var previousWasSeparator = true;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var kind = kinds[c];
            int cls;
            byte isWord;
            if (kind == CharClass.Separator)
            {
                if (previousWasSeparator)
                {
                    continue;
                }

                previousWasSeparator = true;
                cls = _separatorClass;
                isWord = 0;
            }
            else
            {
                previousWasSeparator = false;
                cls = classOf[c];
                isWord = kind == CharClass.Word ? (byte)1
                    : kind == CharClass.Surrogate && CharClass.IsWordAt(text, i) ? (byte)1 : (byte)0;
            }

            state = delta[(state * alphabetSize) + cls];
            ring[emitted & RingMask] = isWord;
            emitted++;

            if (outCount[state] != 0 && (i + 1 >= text.Length || !CharClass.IsWordAt(text, i + 1)))
            {
                Report(state, emitted, ring, hits);
            }
        }
    }

    private void Report(int state, int emitted, ReadOnlySpan<byte> ring, Span<ulong> hits)
    {
        var start = _outStart[state];
        var end = start + _outCount[state];
        for (var o = start; o < end; o++)
        {
            var phrase = _outPhrases[o];
            var before = emitted - _phraseLength[phrase] - 1;
            if (before < 0 || ring[before & RingMask] == 0)
            {
                hits[phrase >> 6] |= 1UL << (phrase & 63);
            }
        }
    }
}
