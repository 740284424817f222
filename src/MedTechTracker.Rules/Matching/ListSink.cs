namespace MedTechTracker.Rules.Matching;

/// <summary>Keeps every hit with its position.</summary>
internal readonly struct ListSink(List<(int Id, int Start, int End)> hits) : IHitSink
{
    public List<(int Id, int Start, int End)> Hits { get; } = hits;

    public void Hit(int id, int start, int end) => Hits.Add((id, start, end));
}
