namespace MedTechTracker.Rules.Matching;

/// <summary>Receives the automaton's hits: a bit set on the hot path, a list when positions matter.</summary>
internal interface IHitSink
{
    void Hit(int id, int start, int end);
}
