using MedTechTracker.Rules.Model;

namespace MedTechTracker.Storage;

public sealed record ProjectSettings(
    string ProjectKey,
    ProjectMode Mode,
    SafetyClass SafetyClass,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy = null)
{
    public static ProjectSettings Unconfigured(string projectKey) =>
        new(projectKey, ProjectMode.Off, SafetyClass.C, DateTimeOffset.MinValue);
}
