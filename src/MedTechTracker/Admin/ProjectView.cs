namespace MedTechTracker.Admin;

/// <summary>A project as the admin sees it: Jira's name merged with its settings (Off when never configured).</summary>
public sealed record ProjectView(string Key, string? Name, string Mode, string SafetyClass, bool InJira, DateTimeOffset? UpdatedAt, string? UpdatedBy, bool OnUpdate = true);
