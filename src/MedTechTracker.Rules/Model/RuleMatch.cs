namespace MedTechTracker.Rules.Model;

/// <summary>
/// Why a rule fired: the field and the rule's own keyword, or the issue type.
/// Never the surrounding text of the issue.
/// </summary>
public sealed record RuleMatch(Rule Rule, MatchReason Reason, string Field, string? Keyword)
{
    public string RuleId => Rule.Id;

    public string Describe() => Reason == MatchReason.Keyword
        ? $"the {Field} contains the keyword \u201c{Keyword}\u201d"
        : $"the issue type is {Keyword}";
}
