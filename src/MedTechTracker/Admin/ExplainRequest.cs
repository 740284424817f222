namespace MedTechTracker.Admin;

public sealed record ExplainRequest(string? IssueKey);
