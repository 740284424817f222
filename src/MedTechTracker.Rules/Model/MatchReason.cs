namespace MedTechTracker.Rules.Model;

public enum MatchReason
{
    Keyword,
    IssueType,
}
