using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Matching;

internal sealed record CompiledRule(
    Rule Rule,
    CompiledKeyword[] Keywords,
    CompiledKeyword[] Exclude,
    bool InSummary,
    bool InDescription,
    HashSet<string> IssueTypes,
    HashSet<string> AppliesTo,
    int SafetyClassMask)
{
    /// <summary>Every form of every keyword: when none hit in a field, no keyword can be satisfied there.</summary>
    public HitMask AnyKeyword { get; set; }

    /// <summary>Every form of every exclusion.</summary>
    public HitMask AnyExclusion { get; set; }
}
