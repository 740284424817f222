namespace MedTechTracker.Admin;

/// <summary>Body of <c>POST /admin/api/backfills</c>.</summary>
public sealed record StartBackfillBody(string? Project, string? Jql, DateTimeOffset? CreatedAfter, bool DryRun);
