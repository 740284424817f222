using MedTechTracker.Rules.Model;

namespace MedTechTracker.Storage;

/// <param name="OnUpdate">Whether an edit of an issue (<c>jira:issue_updated</c> changing a field a rule reads) re-plans it; on by default.</param>
public sealed record ProjectSettings(
    string ProjectKey,
    ProjectMode Mode,
    SafetyClass SafetyClass,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy = null,
    bool OnUpdate = true)
{
    public static ProjectSettings Unconfigured(string projectKey) =>
        new(projectKey, ProjectMode.Off, SafetyClass.C, DateTimeOffset.MinValue);
}
