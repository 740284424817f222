namespace MedTechTracker.Rules.Matching;

/// <summary>Sets bit <c>id</c> for every hit; positions are dropped.</summary>
internal readonly ref struct BitSink(Span<ulong> hits) : IHitSink
{
    private readonly Span<ulong> _hits = hits;

    public void Hit(int id, int start, int end) => _hits[id >> 6] |= 1UL << (id & 63);
}
