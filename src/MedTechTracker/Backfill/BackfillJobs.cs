using MedTechTracker.Storage;

namespace MedTechTracker.Backfill;

/// <summary>Starting, cancelling and resuming jobs: the rules the API, the page and the CLI share.</summary>
public sealed partial class BackfillJobs(IBackfillStore store, ISettingsStore settings, TimeProvider time, ILogger<BackfillJobs> logger)
{
    public async Task<BackfillCommandResult> StartAsync(BackfillRequest request, string requestedBy, CancellationToken cancellationToken)
    {
        var project = request.Project?.Trim() ?? "";
        if (BackfillJql.ValidateProjectKey(project) is { } keyError)
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Invalid, keyError);
        }

        var jql = string.IsNullOrWhiteSpace(request.Jql) ? null : request.Jql.Trim();
        if (BackfillJql.ValidateUserJql(jql) is { } jqlError)
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Invalid, jqlError);
        }

        if (request.CreatedAfter is { } after && after > time.GetUtcNow())
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Invalid, "createdAfter is in the future: no issue could match.");
        }

        if (!request.DryRun)
        {
            var projectSettings = await settings.GetAsync(project, cancellationToken).ConfigureAwait(false);
            if (projectSettings?.Mode != ProjectMode.On)
            {
                return BackfillCommandResult.Fail(
                    BackfillErrorKind.Conflict,
                    $"Project {project} is {projectSettings?.Mode ?? ProjectMode.Off}: a real backfill writes to Jira only for projects that are On. Switch it On first, or start a dry run.");
            }
        }

        if (await ActiveJobOfAsync(project, null, cancellationToken).ConfigureAwait(false) is { } active)
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Conflict, $"Backfill {active.Id} of project {project} is still {active.Status}: one job per project at a time. Cancel it or wait for it to finish.");
        }

        var now = time.GetUtcNow();
        var job = await store.CreateAsync(
            new BackfillJob
            {
                Id = NewId(now),
                ProjectKey = project,
                UserJql = jql,
                CreatedAfter = request.CreatedAfter,
                DryRun = request.DryRun,
                Status = BackfillStatus.Queued,
                CreatedAt = now,
                UpdatedAt = now,
                RequestedBy = requestedBy,
            },
            cancellationToken).ConfigureAwait(false);
        LogChange(requestedBy, "started", job.Id, project);
        return BackfillCommandResult.Ok(job);
    }

    public async Task<BackfillCommandResult> CancelAsync(string id, string requestedBy, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return NotFound(id);
        }

        if (!job.IsActive)
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Conflict, $"Backfill {id} is already {job.Status}; only a queued or running job can be cancelled.");
        }

        var now = time.GetUtcNow();

        // A queued job stops at once; a running one stops at its next checkpoint (the runner reads the flag).
        var saved = await store.UpdateAsync(id, j => j.Status == BackfillStatus.Queued
            ? j with { CancelRequested = true, Status = BackfillStatus.Cancelled, FinishedAt = now, UpdatedAt = now }
            : j with { CancelRequested = true }, cancellationToken).ConfigureAwait(false);
        LogChange(requestedBy, "cancelled", id, job.ProjectKey);
        return BackfillCommandResult.Ok(saved);
    }

    /// <param name="allowActive">Accept a queued or running job as it is (the CLI's <c>resume --wait</c> continues a job whose process was killed).</param>
    public async Task<BackfillCommandResult> ResumeAsync(string id, string requestedBy, CancellationToken cancellationToken, bool allowActive = false)
    {
        var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return NotFound(id);
        }

        if (allowActive && job.IsActive)
        {
            return BackfillCommandResult.Ok(job);
        }

        if (job.Status is not (BackfillStatus.Failed or BackfillStatus.Cancelled))
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Conflict, $"Backfill {id} is {job.Status}; only a failed or cancelled job can be resumed.");
        }

        if (await ActiveJobOfAsync(job.ProjectKey, id, cancellationToken).ConfigureAwait(false) is { } active)
        {
            return BackfillCommandResult.Fail(BackfillErrorKind.Conflict, $"Backfill {active.Id} of project {job.ProjectKey} is still {active.Status}: one job per project at a time.");
        }

        var now = time.GetUtcNow();
        var saved = await store.UpdateAsync(id, j => j with { Status = BackfillStatus.Queued, CancelRequested = false, Error = null, FinishedAt = null, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        LogChange(requestedBy, "resumed", id, job.ProjectKey);
        return BackfillCommandResult.Ok(saved);
    }

    public Task<BackfillJob?> GetAsync(string id, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken);

    public async Task<IReadOnlyList<BackfillJob>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(cancellationToken).ConfigureAwait(false)).OrderByDescending(j => j.CreatedAt)];

    private static BackfillCommandResult NotFound(string id) =>
        BackfillCommandResult.Fail(BackfillErrorKind.NotFound, $"There is no backfill job {id}; list the jobs to find its id.");

    private static string NewId(DateTimeOffset now) =>
        $"bf-{now:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    private async Task<BackfillJob?> ActiveJobOfAsync(string project, string? except, CancellationToken cancellationToken) =>
        (await store.ListAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(j => j.IsActive && j.Id != except && string.Equals(j.ProjectKey, project, StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Actor} {Action} backfill {JobId} of project {ProjectKey}")]
    private partial void LogChange(string actor, string action, string jobId, string projectKey);
}
