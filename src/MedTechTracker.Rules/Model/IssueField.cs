namespace MedTechTracker.Rules.Model;

/// <summary>The issue fields a rule's phrases are matched against.</summary>
public enum IssueField
{
    Summary,
    Description,
}
