using MedTechTracker.Jira;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Storage;
using MedTechTracker.Telemetry;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Backfill;

/// <summary>
/// Runs one backfill job: pages of the search, the live worker's planner per issue, missing sub-tasks
/// bulk-created in batches of at most 50 across issues, and a checkpoint after every page.
/// <para>
/// Counters. A job that is never interrupted counts each scanned issue once. A job killed mid-page resumes
/// from the last checkpoint and processes the interrupted page again from scratch, starting from the
/// counters checkpointed before it, so <c>Scanned</c>, <c>Matched</c> and <c>Created + AlreadyPresent</c>
/// (and <c>Failed</c>, for failures that repeat) end exactly as in an uninterrupted run. The split between
/// <c>Created</c> and <c>AlreadyPresent</c> is exact too unless the process died: sub-tasks created on
/// the interrupted page before the kill are found on resume and counted as already present (at most one
/// page's worth). Within one process a retried page remembers what it created and keeps the split exact.
/// In a dry run, <c>Created</c> counts what would be created.
/// </para>
/// </summary>
public sealed partial class BackfillRunner(
    IJiraClient jira,
    IBackfillStore store,
    ISettingsStore settings,
    RulesProvider rules,
    IOptions<BackfillOptions> options,
    TimeProvider time,
    ILogger<BackfillRunner> logger)
{
    public const int BulkLimit = 50;

    /// <summary>Jira date strings are read in the bot account's time zone (UTC-12 to UTC+14): a restart query starts this much earlier and skips what it has seen.</summary>
    public static readonly TimeSpan RestartMargin = TimeSpan.FromHours(14);

    /// <summary>
    /// Takes the job for this process: a Queued job, or a Running one whose runner stopped touching it
    /// (died). Atomic through the store's optimistic concurrency, so two runners never both get it.
    /// </summary>
    public async Task<BackfillJob?> TryClaimAsync(string id, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null || !job.IsActive)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (job.Status == BackfillStatus.Running && now - job.UpdatedAt < options.Value.LeaseTimeout)
        {
            return null;
        }

        return await store.TryReplaceAsync(job with { Status = BackfillStatus.Running, StartedAt = job.StartedAt ?? now, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a job claimed with <see cref="TryClaimAsync"/> until it completes, fails or is cancelled.</summary>
    public async Task<BackfillJob> RunAsync(BackfillJob claimed, CancellationToken cancellationToken)
    {
        var settingsValue = options.Value;
        using var limiter = ThrottledJiraClient.CreateLimiter(settingsValue.RequestsPerSecond);
        var client = limiter is null ? jira : new ThrottledJiraClient(jira, limiter);
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(claimed.Id, settingsValue.LeaseTimeout / 3, heartbeatStop.Token);
        try
        {
            LogStarting(claimed.Id, claimed.ProjectKey, claimed.DryRun, claimed.Counters.Scanned);
            var finished = await RunCoreAsync(claimed, client, settingsValue, cancellationToken).ConfigureAwait(false);
            LogFinished(finished.Id, finished.Status, finished.Counters.Scanned, finished.Counters.Matched, finished.Counters.Created, finished.Counters.AlreadyPresent, finished.Counters.Failed);
            return finished;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping: hand the job back so the next start continues it without waiting for the lease.
            await store.UpdateAsync(claimed.Id, j => j.Status == BackfillStatus.Running ? j with { Status = BackfillStatus.Queued, UpdatedAt = time.GetUtcNow() } : j, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is JiraException or BackfillException or HttpRequestException or TimeoutException)
        {
            var reason = ex is BackfillException ? ex.Message : $"Jira call failed: {ex.Message}";
            LogFailed(ex is BackfillException ? null : ex, claimed.Id, reason);
            return await store.UpdateAsync(claimed.Id, j => j with { Status = BackfillStatus.Failed, Error = reason, UpdatedAt = time.GetUtcNow(), FinishedAt = time.GetUtcNow() }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await heartbeat.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task<BackfillJob> RunCoreAsync(BackfillJob job, IJiraClient client, BackfillOptions o, CancellationToken cancellationToken)
    {
        if (job.CancelRequested)
        {
            return await FinishCancelledAsync(job.Id).ConfigureAwait(false);
        }

        var safetyClass = await RequireModeAsync(job, cancellationToken).ConfigureAwait(false);
        string? subtaskTypeId = null;
        if (!job.DryRun)
        {
            subtaskTypeId = await client.GetSubtaskIssueTypeIdAsync(job.ProjectKey, cancellationToken).ConfigureAwait(false)
                ?? throw new BackfillException($"Project {job.ProjectKey} has no sub-task issue type: enable sub-tasks in the project's issue type scheme.");
        }

        string baseJql;
        try
        {
            baseJql = BackfillJql.Build(job.ProjectKey, job.CreatedAfter, job.UserJql);
        }
        catch (ArgumentException ex)
        {
            throw new BackfillException(ex.Message);
        }

        if (job.EstimatedTotal is null)
        {
            var estimate = await client.ApproximateCountAsync(BackfillJql.WithoutOrder(baseJql), cancellationToken).ConfigureAwait(false);
            job = await store.UpdateAsync(job.Id, j => j with { EstimatedTotal = estimate, UpdatedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }

        var walk = new Walk(job, baseJql);
        var createdHere = new HashSet<(string Parent, string RuleId)>();
        var attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PageTally tally;
            SearchPage page;
            try
            {
                page = await client.SearchAsync(walk.Jql, walk.Token, o.PageSize, cancellationToken).ConfigureAwait(false);
                if (!job.DryRun && attempt == 0 && walk.PagesDone > 0)
                {
                    safetyClass = await RequireModeAsync(job, cancellationToken).ConfigureAwait(false);
                }

                tally = await ProcessPageAsync(page, walk, job.DryRun, safetyClass, subtaskTypeId, client, createdHere, cancellationToken).ConfigureAwait(false);
            }
            catch (JiraException ex) when (ex.PageTokenExpired && walk.Token is not null)
            {
                LogTokenExpired(job.Id, walk.Checkpoint);
                walk.Restart(job);
                continue;
            }
            catch (JiraException ex) when (!ex.Permanent && ++attempt < o.PageAttempts)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, attempt)));
                LogPageRetry(job.Id, attempt, wait.TotalSeconds, ex.StatusCode);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            attempt = 0;
            createdHere.Clear();
            walk.Advance(page, tally.LastCreated);
            var now = time.GetUtcNow();
            job = await store.UpdateAsync(job.Id, current =>
            {
                var status = walk.Done ? BackfillStatus.Completed : current.CancelRequested ? BackfillStatus.Cancelled : BackfillStatus.Running;
                return current with
                {
                    NextPageToken = walk.Done ? null : walk.StoredCursor,
                    CheckpointCreated = walk.Checkpoint,
                    Counters = current.Counters.Add(tally.Counters),
                    Status = status,
                    UpdatedAt = now,
                    FinishedAt = status is BackfillStatus.Completed or BackfillStatus.Cancelled ? now : null,
                };
            }, CancellationToken.None).ConfigureAwait(false);

            TrackerTelemetry.IssuesEvaluated.Add(tally.Counters.Scanned, new KeyValuePair<string, object?>("mode", "backfill"));
            if (!job.IsActive)
            {
                return job;
            }
        }
    }

    private async Task<PageTally> ProcessPageAsync(
        SearchPage page,
        Walk walk,
        bool dryRun,
        Rules.Model.SafetyClass safetyClass,
        string? subtaskTypeId,
        IJiraClient client,
        HashSet<(string Parent, string RuleId)> createdHere,
        CancellationToken cancellationToken)
    {
        var ruleSet = rules.Current;
        long scanned = 0, matched = 0, created = 0, present = 0, failed = 0;
        DateTimeOffset? lastCreated = null;
        var batch = new List<SubtaskToCreate>(BulkLimit);
        foreach (var searched in page.Issues)
        {
            lastCreated = searched.Created;
            var issue = searched.Issue;
            if (walk.SkipBefore is { } skip && searched.Created < skip)
            {
                continue;
            }

            var plan = Planner.Plan(ruleSet, issue, safetyClass);
            if (walk.IsTie(searched.Created) && (dryRun || plan.ToCreate.All(s => createdHere.Contains((issue.Key, s.RuleId)))))
            {
                // Re-scanned after a restart at the checkpoint instant with nothing left to do: counted before the restart.
                continue;
            }

            scanned++;
            if (plan.Matches.Count > 0)
            {
                matched++;
                foreach (var match in plan.Matches)
                {
                    TrackerTelemetry.RulesFired.Add(1, new KeyValuePair<string, object?>("rule", match.RuleId));
                }
            }

            foreach (var subtask in plan.AlreadyPresent)
            {
                if (createdHere.Contains((issue.Key, subtask.RuleId)))
                {
                    created++;
                }
                else
                {
                    present++;
                }
            }

            foreach (var subtask in plan.ToCreate)
            {
                if (dryRun || createdHere.Contains((issue.Key, subtask.RuleId)))
                {
                    created++;
                    continue;
                }

                batch.Add(new SubtaskToCreate(walk.ProjectKey, issue.Key, subtaskTypeId!, subtask));
                if (batch.Count == BulkLimit)
                {
                    (var c, var f) = await FlushAsync(batch, client, createdHere, cancellationToken).ConfigureAwait(false);
                    created += c;
                    failed += f;
                }
            }
        }

        if (batch.Count > 0)
        {
            (var c, var f) = await FlushAsync(batch, client, createdHere, cancellationToken).ConfigureAwait(false);
            created += c;
            failed += f;
        }

        return new PageTally(new BackfillCounters(scanned, matched, created, present, failed), lastCreated);
    }

    private async Task<(long Created, long Failed)> FlushAsync(List<SubtaskToCreate> batch, IJiraClient client, HashSet<(string Parent, string RuleId)> createdHere, CancellationToken cancellationToken)
    {
        var result = await client.CreateSubtasksAsync([.. batch], cancellationToken).ConfigureAwait(false);
        batch.Clear();
        foreach (var item in result.Created)
        {
            createdHere.Add((item.Item.ParentKey, item.Item.Subtask.RuleId));
        }

        foreach (var failure in result.Failed)
        {
            LogItemFailed(failure.Item.ParentKey, failure.Item.Subtask.RuleId, failure.Status, failure.Error);
        }

        TrackerTelemetry.SubtasksCreated.Add(result.Created.Count, new KeyValuePair<string, object?>("mode", "backfill"));
        return (result.Created.Count, result.Failed.Count);
    }

    private async Task<Rules.Model.SafetyClass> RequireModeAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        var project = await settings.GetAsync(job.ProjectKey, cancellationToken).ConfigureAwait(false) ?? ProjectSettings.Unconfigured(job.ProjectKey);
        if (!job.DryRun && project.Mode != ProjectMode.On)
        {
            throw new BackfillException($"Project {job.ProjectKey} is {project.Mode}: a real backfill needs the project On. Switch it On, or start a dry run.");
        }

        return project.SafetyClass;
    }

    private async Task<BackfillJob> FinishCancelledAsync(string id)
    {
        var now = time.GetUtcNow();
        return await store.UpdateAsync(id, j => j with { Status = BackfillStatus.Cancelled, UpdatedAt = now, FinishedAt = now }, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(string id, TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await store.UpdateAsync(id, j => j.IsActive ? j with { UpdatedAt = time.GetUtcNow() } : j, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHeartbeatFailed(ex, id);
            }
        }
    }

    private readonly record struct PageTally(BackfillCounters Counters, DateTimeOffset? LastCreated);

    /// <summary>Where the walk is: the query, Jira's page token, and the restart state after an expired token.</summary>
    private sealed class Walk
    {
        private readonly string _baseJql;
        private readonly BackfillJob _job;
        private DateTimeOffset? _restartedFrom;
        private DateTimeOffset? _tie;

        public Walk(BackfillJob job, string baseJql)
        {
            _job = job;
            _baseJql = baseJql;
            Checkpoint = job.CheckpointCreated;
            var cursor = BackfillCursor.Parse(job.NextPageToken);
            if (cursor.PageToken is null && job.CheckpointCreated is not null)
            {
                Restart(job);
                return;
            }

            _restartedFrom = cursor.RestartedFrom;
            Token = cursor.PageToken;
            Jql = _restartedFrom is { } from ? RestartJql(from) : baseJql;
        }

        public string ProjectKey => _job.ProjectKey;

        public string Jql { get; private set; } = "";

        public string? Token { get; private set; }

        public DateTimeOffset? Checkpoint { get; private set; }

        /// <summary>Issues created before this were counted before the restart.</summary>
        public DateTimeOffset? SkipBefore { get; private set; }

        public bool Done { get; private set; }

        public int PagesDone { get; private set; }

        public string? StoredCursor => new BackfillCursor(_restartedFrom, Token).ToStored();

        public bool IsTie(DateTimeOffset created)
        {
            if (_tie is { } tie && created > tie)
            {
                _tie = null;
            }

            return _tie == created;
        }

        public void Restart(BackfillJob job)
        {
            if (Checkpoint is not { } from)
            {
                _restartedFrom = null;
                Jql = _baseJql;
            }
            else
            {
                _restartedFrom = from;
                Jql = RestartJql(from);
                SkipBefore = from;
                _tie = from;
            }

            Token = null;
        }

        public void Advance(SearchPage page, DateTimeOffset? lastCreated)
        {
            PagesDone++;
            if (lastCreated is { } last && (Checkpoint is null || last > Checkpoint))
            {
                Checkpoint = last;
            }

            Token = page.NextPageToken;
            Done = page.NextPageToken is null;
        }

        private string RestartJql(DateTimeOffset from)
        {
            var since = from - RestartMargin;
            if (_job.CreatedAfter is { } after && after > since)
            {
                since = after;
            }

            return BackfillJql.Build(_job.ProjectKey, since, _job.UserJql);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill {JobId} of {ProjectKey} starting (dry run: {DryRun}, already scanned: {Scanned})")]
    private partial void LogStarting(string jobId, string projectKey, bool dryRun, long scanned);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill {JobId} {Status}: scanned {Scanned}, matched {Matched}, created {Created}, already present {AlreadyPresent}, failed {Failed}")]
    private partial void LogFinished(string jobId, BackfillStatus status, long scanned, long matched, long created, long alreadyPresent, long failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backfill {JobId} failed: {Reason}")]
    private partial void LogFailed(Exception? exception, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill {JobId}: the page token expired; restarting the query from the checkpoint {Checkpoint}")]
    private partial void LogTokenExpired(string jobId, DateTimeOffset? checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill {JobId}: page attempt {Attempt} failed with status {Status}; retrying in {Seconds} s")]
    private partial void LogPageRetry(string jobId, int attempt, double seconds, int? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill could not create the {RuleId} sub-task of {IssueKey}: {Status} {Error}")]
    private partial void LogItemFailed(string issueKey, string ruleId, int status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill {JobId}: heartbeat failed")]
    private partial void LogHeartbeatFailed(Exception exception, string jobId);
}
