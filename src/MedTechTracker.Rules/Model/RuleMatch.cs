namespace MedTechTracker.Rules.Model;

/// <summary>
/// Why a rule fired: the field, the rule's own keyword and the form of it that hit (an inflection, or
/// the phrases of an all-of entry joined by " + "), or the issue type. Never the surrounding text of the issue.
/// </summary>
public sealed record RuleMatch(Rule Rule, MatchReason Reason, string Field, string? Keyword, string? Form = null)
{
    public string RuleId => Rule.Id;

    public string Describe()
    {
        if (Reason != MatchReason.Keyword)
        {
            return $"the issue type is {Keyword}";
        }

        return Form is null || string.Equals(Form, Keyword, StringComparison.OrdinalIgnoreCase)
            ? $"the {Field} contains the keyword \u201c{Keyword}\u201d"
            : $"the {Field} contains \u201c{Form}\u201d (from the keyword \u201c{Keyword}\u201d)";
    }
}
