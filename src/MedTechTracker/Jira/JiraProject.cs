namespace MedTechTracker.Jira;

public sealed record JiraProject(string Id, string Key, string Name);
