namespace MedTechTracker.Backfill;

/// <summary>What an admin asks for: a project, an optional JQL filter and created-after date, dry run or real.</summary>
public sealed record BackfillRequest(string Project, string? Jql = null, DateTimeOffset? CreatedAfter = null, bool DryRun = false);
