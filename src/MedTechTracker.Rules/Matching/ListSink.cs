namespace MedTechTracker.Rules.Matching;

/// <summary>Keeps the hits whose id is in <c>ids</c> (a bit set), with their positions.</summary>
internal readonly struct ListSink(List<(int Id, int Start, int End)> hits, ulong[] ids) : IHitSink
{
    public List<(int Id, int Start, int End)> Hits { get; } = hits;

    public void Hit(int id, int start, int end)
    {
        if ((ids[id >> 6] & (1UL << (id & 63))) != 0)
        {
            Hits.Add((id, start, end));
        }
    }
}
