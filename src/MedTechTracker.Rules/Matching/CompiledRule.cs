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
    int SafetyClassMask);
