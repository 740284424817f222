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
/// bulk-created in batches of 50 across issues and pages, and a checkpoint after every page.
/// <para>
/// Checkpoints. A page is committed (its cursor, created instant and counters written) once every sub-task it
/// planned has been sent to Jira; a partial batch waits for the next page, so at most the pages holding the last
/// &lt; 50 planned items are uncommitted at a checkpoint, and the end of the walk, a cancel or an expired token
/// flushes everything. A checkpoint therefore never counts a sub-task Jira does not hold.
/// </para>
/// <para>
/// Counters. An uninterrupted job counts each scanned issue once. A killed job resumes from its last checkpoint
/// and walks the uncommitted pages again from scratch, starting from the checkpointed counters, so
/// <c>Scanned</c>, <c>Matched</c>, <c>Failed</c> (for failures that repeat) and <c>Created + AlreadyPresent</c>
/// end exactly as in an uninterrupted run. Only the split between <c>Created</c> and <c>AlreadyPresent</c>
/// can differ after a kill: sub-tasks created on the re-walked pages before the kill are found under their
/// parent and counted as already present (fewer than 50 plus one page's worth). Within one process a re-walk
/// (after a transient Jira failure) remembers what it created and keeps the split exact too.
/// In a dry run, <c>Created</c> counts what would be created.
/// </para>
/// </summary>
public sealed partial class BackfillRunner(
    IJiraClient jira,
    IBackfillStore store,
    ISettingsStore settings,
    RulesProvider rules,
    ParentWriteLocks locks,
    IOptions<BackfillOptions> options,
    TimeProvider time,
    ILogger<BackfillRunner> logger)
{
    public const int BulkLimit = 50;

    /// <summary>Jira date strings are read in the bot account's time zone (UTC-12 to UTC+14): a restart query starts this much earlier and skips what it has seen.</summary>
    public static readonly TimeSpan RestartMargin = TimeSpan.FromHours(14);

    private const int MaxBulkInFlight = 4;

    private static readonly TimeSpan ModeRecheckInterval = TimeSpan.FromSeconds(5);

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
            var reason = Diagnostics.SafeText.Clean(ex is BackfillException ? ex.Message : $"Jira call failed: {ex.Message}", 1000);
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
        SubtaskScreen? screen = null;
        if (!job.DryRun)
        {
            screen = await PausingAsync(job.Id, () => client.GetSubtaskScreenAsync(job.ProjectKey, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (screen.Refusal is { } refusal)
            {
                throw new BackfillException($"Refused: {refusal}.");
            }
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
            var estimate = await PausingAsync(job.Id, () => client.ApproximateCountAsync(BackfillJql.WithoutOrder(baseJql), cancellationToken), cancellationToken).ConfigureAwait(false);
            job = await store.UpdateAsync(job.Id, j => j with { EstimatedTotal = estimate, UpdatedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        }

        var state = new RunState(job, new Walk(job, baseJql), client, screen);
        var modeCheckedAt = time.GetUtcNow();
        var cancelling = false;
        var attempt = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    SearchPage page;
                    try
                    {
                        var ahead = state.TakePrefetch();
                        page = ahead is not null
                            ? await ahead.ConfigureAwait(false)
                            : await client.SearchAsync(state.Walk.Jql, state.Walk.Token, o.PageSize, cancellationToken).ConfigureAwait(false);
                    }
                    catch (JiraException ex) when (ex.PageTokenExpired && state.Walk.Token is not null)
                    {
                        // Everything planned so far is created and committed first, so the restart point is exact.
                        await FlushAsync(state, all: true, cancellationToken).ConfigureAwait(false);
                        state.CommitFinishedPages();
                        LogTokenExpired(job.Id, state.CommittedCheckpoint);
                        state.Walk.Restart(state.CommittedCheckpoint);
                        state.CommittedCursor = state.Walk.StoredCursorFor(null);
                        continue;
                    }

                    // An admin may switch the project Off mid-walk: a real run re-reads the mode every few seconds.
                    if (!job.DryRun && time.GetUtcNow() - modeCheckedAt > ModeRecheckInterval)
                    {
                        safetyClass = await RequireModeAsync(job, cancellationToken).ConfigureAwait(false);
                        modeCheckedAt = time.GetUtcNow();
                    }

                    ProcessPage(page, state, job.DryRun, safetyClass);
                    if (!state.Walk.Done && !cancelling)
                    {
                        // Read the next page while this one's sub-tasks are created and its checkpoint is written.
                        state.Prefetch(SearchAheadAsync(client, state.Walk.Jql, state.Walk.Token, o.PageSize, cancellationToken));
                    }

                    await FlushAsync(state, all: state.Walk.Done || cancelling, cancellationToken).ConfigureAwait(false);
                }
                catch (JiraRateLimitedException ex)
                {
                    // Not a failure: pause until Jira's window opens, then go on from the last commit (no attempt spent).
                    await PauseAsync(job.Id, ex, cancellationToken).ConfigureAwait(false);
                    state.DropPrefetch();
                    state.RewindToCommit();
                    continue;
                }
                catch (JiraException ex) when (!ex.Permanent && !ex.PageTokenExpired && ++attempt < o.PageAttempts)
                {
                    // Start again from the last commit; what this process already created is remembered, so nothing is created twice.
                    var wait = JiraResilience.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
                    LogPageRetry(job.Id, attempt, wait.TotalSeconds, ex.StatusCode);
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    state.DropPrefetch();
                    state.RewindToCommit();
                    continue;
                }

                attempt = 0;
                state.CommitFinishedPages();
                var done = state.Walk.Done && state.Uncommitted.Count == 0;
                var now = time.GetUtcNow();
                var drained = state.Uncommitted.Count == 0;
                job = await store.UpdateAsync(job.Id, current =>
                {
                    // A cancel stops the job once nothing planned is left unsent (the next round flushes it otherwise).
                    var status = done ? BackfillStatus.Completed : current.CancelRequested && drained ? BackfillStatus.Cancelled : BackfillStatus.Running;
                    return current with
                    {
                        NextPageToken = done ? null : state.CommittedCursor,
                        CheckpointCreated = state.CommittedCheckpoint,
                        Counters = state.CommittedCounters,
                        Status = status,
                        UpdatedAt = now,
                        FinishedAt = status is BackfillStatus.Completed or BackfillStatus.Cancelled ? now : null,
                    };
                }, CancellationToken.None).ConfigureAwait(false);

                if (!job.IsActive)
                {
                    return job;
                }

                if (job.CancelRequested && !cancelling)
                {
                    // Send what is still batched, commit it, and stop (without reading another page).
                    cancelling = true;
                    await FlushAsync(state, all: true, cancellationToken).ConfigureAwait(false);
                    state.CommitFinishedPages();
                    var at = time.GetUtcNow();
                    return await store.UpdateAsync(job.Id, current => current with
                    {
                        NextPageToken = state.CommittedCursor,
                        CheckpointCreated = state.CommittedCheckpoint,
                        Counters = state.CommittedCounters,
                        Status = BackfillStatus.Cancelled,
                        UpdatedAt = at,
                        FinishedAt = at,
                    }, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            state.DropPrefetch();
        }
    }

    /// <summary>Any failure of the read-ahead (even a synchronous one) surfaces where the page is awaited.</summary>
    private static async Task<SearchPage> SearchAheadAsync(IJiraClient client, string jql, string? token, int pageSize, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return await client.SearchAsync(jql, token, pageSize, cancellationToken).ConfigureAwait(false);
    }

    private void ProcessPage(SearchPage page, RunState state, bool dryRun, Rules.Model.SafetyClass safetyClass)
    {
        var ruleSet = rules.Current;
        var record = new PageRecord();
        var walk = state.Walk;
        foreach (var searched in page.Issues)
        {
            record.LastCreated = searched.Created;
            var issue = searched.Issue;
            if (walk.SkipBefore is { } skip && searched.Created < skip)
            {
                continue;
            }

            var plan = Planner.Plan(ruleSet, issue, safetyClass);
            if (walk.IsTie(searched.Created) && (dryRun || plan.ToCreate.All(s => state.CreatedHere.Contains((issue.Key, s.RuleId)))))
            {
                // Re-scanned after a restart at the checkpoint instant with nothing left to do: counted before the restart.
                continue;
            }

            record.Scanned++;
            if (plan.Matches.Count > 0)
            {
                record.Matched++;
                foreach (var match in plan.Matches)
                {
                    TrackerTelemetry.RulesFired.Add(1, new KeyValuePair<string, object?>("rule", match.RuleId));
                }
            }

            foreach (var subtask in plan.AlreadyPresent)
            {
                if (state.CreatedHere.Contains((issue.Key, subtask.RuleId)))
                {
                    record.Created++;
                }
                else
                {
                    record.AlreadyPresent++;
                }
            }

            foreach (var subtask in plan.ToCreate)
            {
                if (dryRun || state.CreatedHere.Contains((issue.Key, subtask.RuleId)))
                {
                    record.Created++;
                    continue;
                }

                record.Pending++;
                state.Pending.Add((SubtaskToCreate.On(state.Screen!, issue.Key, subtask), record));
            }
        }

        walk.Advance(page);
        record.CursorAfter = walk.Done ? null : walk.StoredCursorFor(page.NextPageToken);
        state.Uncommitted.Enqueue(record);
        TrackerTelemetry.IssuesEvaluated.Add(record.Scanned, new KeyValuePair<string, object?>("mode", "backfill"));
    }

    /// <summary>
    /// Bulk-creates full batches of 50 (batched across issues and pages); with <paramref name="all"/> the remainder too.
    /// A few batches go out at once (each still takes its own permit from the job's rate limiter).
    /// </summary>
    private async Task FlushAsync(RunState state, bool all, CancellationToken cancellationToken)
    {
        var batches = new List<List<(SubtaskToCreate Item, PageRecord Page)>>();
        while (state.Pending.Count >= BulkLimit || (all && state.Pending.Count > 0))
        {
            var batch = state.Pending.Take(BulkLimit).ToList();
            state.Pending.RemoveRange(0, batch.Count);
            batches.Add(batch);
        }

        if (batches.Count == 0)
        {
            return;
        }

        using var gate = new SemaphoreSlim(MaxBulkInFlight);
        await Task.WhenAll(batches.Select(async batch =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await SendBatchAsync(state, batch, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Search lags writes, so what a page says a parent already has is not trusted: with the parents locked against the
    /// live worker, each parent's sub-tasks are read again (GET issue, strongly consistent; one read per parent with
    /// something to create) and only what is still missing is created.
    /// </summary>
    private async Task SendBatchAsync(RunState state, List<(SubtaskToCreate Item, PageRecord Page)> batch, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(batch.Select(b => b.Item.ParentKey), cancellationToken).ConfigureAwait(false);
        var present = new Dictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        foreach (var parent in batch.Select(b => b.Item.ParentKey).Distinct(StringComparer.Ordinal))
        {
            var current = await state.Client.GetIssueAsync(parent, cancellationToken).ConfigureAwait(false);
            present[parent] = current is null ? null : new HashSet<string>(current.ExistingSubtaskSummaries, StringComparer.Ordinal);
        }

        var send = new List<(SubtaskToCreate Item, PageRecord Page)>();
        lock (state)
        {
            foreach (var (item, page) in batch)
            {
                if (present[item.ParentKey] is not { } summaries)
                {
                    // Deleted since the search: nothing to create under it.
                    page.Pending--;
                }
                else if (summaries.Contains(item.Subtask.Summary))
                {
                    page.Pending--;
                    if (state.CreatedHere.Contains((item.ParentKey, item.Subtask.RuleId)))
                    {
                        page.Created++;
                    }
                    else
                    {
                        page.AlreadyPresent++;
                    }
                }
                else
                {
                    send.Add((item, page));
                }
            }
        }

        if (send.Count == 0)
        {
            return;
        }

        var result = await state.Client.CreateSubtasksAsync([.. send.Select(b => b.Item)], cancellationToken).ConfigureAwait(false);
        lock (state)
        {
            var pageOf = new Dictionary<SubtaskToCreate, PageRecord>(ReferenceEqualityComparer.Instance);
            foreach (var (item, page) in send)
            {
                pageOf[item] = page;
                page.Pending--;
            }

            foreach (var item in result.Created)
            {
                state.CreatedHere.Add((item.Item.ParentKey, item.Item.Subtask.RuleId));
                if (pageOf.TryGetValue(item.Item, out var page))
                {
                    page.Created++;
                }
            }

            foreach (var failure in result.Failed)
            {
                LogItemFailed(failure.Item.ParentKey, failure.Item.Subtask.RuleId, failure.Status, failure.Error);
                if (pageOf.TryGetValue(failure.Item, out var page))
                {
                    page.Failed++;
                }
            }
        }

        TrackerTelemetry.SubtasksCreated.Add(result.Created.Count, new KeyValuePair<string, object?>("mode", "backfill"));
    }

    /// <summary>Runs a call, pausing (not failing) while Jira's rate window is closed.</summary>
    private async Task<T> PausingAsync<T>(string jobId, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (JiraRateLimitedException ex)
            {
                await PauseAsync(jobId, ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PauseAsync(string jobId, JiraRateLimitedException ex, CancellationToken cancellationToken)
    {
        LogPaused(jobId, ex.Until, ex.Reason ?? "unspecified");
        var wait = ex.Until - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        LogResumed(jobId);
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

    /// <summary>One page's tally; it is committed (checkpointed) once none of its sub-tasks is still waiting in a batch.</summary>
    private sealed class PageRecord
    {
        public long Scanned { get; set; }

        public long Matched { get; set; }

        public long Created { get; set; }

        public long AlreadyPresent { get; set; }

        public long Failed { get; set; }

        public int Pending { get; set; }

        public DateTimeOffset? LastCreated { get; set; }

        public string? CursorAfter { get; set; }

        public BackfillCounters Counters => new(Scanned, Matched, Created, AlreadyPresent, Failed);
    }

    /// <summary>A job's run: the walk, the batch waiting to be created, the pages not yet committed, and the last commit.</summary>
    private sealed class RunState(BackfillJob job, Walk walk, IJiraClient client, SubtaskScreen? screen)
    {
        public Walk Walk { get; } = walk;

        public IJiraClient Client { get; } = client;

        public SubtaskScreen? Screen { get; } = screen;

        public List<(SubtaskToCreate Item, PageRecord Page)> Pending { get; } = [];

        public Queue<PageRecord> Uncommitted { get; } = new();

        /// <summary>What this process created (parent, rule): a re-walked page counts them as created, not as already present.</summary>
        public HashSet<(string Parent, string RuleId)> CreatedHere { get; } = [];

        public string? CommittedCursor { get; set; } = job.NextPageToken;

        public DateTimeOffset? CommittedCheckpoint { get; private set; } = job.CheckpointCreated;

        public BackfillCounters CommittedCounters { get; private set; } = job.Counters;

        public void CommitFinishedPages()
        {
            while (Uncommitted.TryPeek(out var page) && page.Pending == 0)
            {
                Uncommitted.Dequeue();
                CommittedCounters = CommittedCounters.Add(page.Counters);
                CommittedCursor = page.CursorAfter;
                if (page.LastCreated is { } last && (CommittedCheckpoint is null || last > CommittedCheckpoint))
                {
                    CommittedCheckpoint = last;
                }
            }
        }

        private Task<SearchPage>? _prefetch;

        public void Prefetch(Task<SearchPage> next) => _prefetch = next;

        public Task<SearchPage>? TakePrefetch()
        {
            var next = _prefetch;
            _prefetch = null;
            return next;
        }

        /// <summary>Forgets a read-ahead page (observing its failure, if any).</summary>
        public void DropPrefetch()
        {
            if (TakePrefetch() is { } dropped)
            {
                _ = dropped.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }

        public void RewindToCommit()
        {
            Pending.Clear();
            Uncommitted.Clear();
            Walk.ResetTo(CommittedCursor, CommittedCheckpoint);
        }
    }

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
            ResetTo(job.NextPageToken, job.CheckpointCreated);
        }

        public string ProjectKey => _job.ProjectKey;

        public string Jql { get; private set; } = "";

        public string? Token { get; private set; }

        /// <summary>Issues created before this were counted before the restart.</summary>
        public DateTimeOffset? SkipBefore { get; private set; }

        public bool Done { get; private set; }

        public int PagesDone { get; private set; }

        public string? StoredCursorFor(string? token) => new BackfillCursor(_restartedFrom, token).ToStored();

        public bool IsTie(DateTimeOffset created)
        {
            if (_tie is { } tie && created > tie)
            {
                _tie = null;
            }

            return _tie == created;
        }

        public void ResetTo(string? storedCursor, DateTimeOffset? checkpoint)
        {
            Done = false;
            var cursor = BackfillCursor.Parse(storedCursor);
            if (cursor.PageToken is null && (cursor.RestartedFrom ?? checkpoint) is { } from)
            {
                Restart(from);
                return;
            }

            _restartedFrom = cursor.RestartedFrom;
            Token = cursor.PageToken;
            Jql = _restartedFrom is { } anchor ? RestartJql(anchor) : _baseJql;
        }

        public void Restart(DateTimeOffset? from)
        {
            Done = false;
            Token = null;
            if (from is not { } anchor)
            {
                _restartedFrom = null;
                Jql = _baseJql;
                return;
            }

            _restartedFrom = anchor;
            Jql = RestartJql(anchor);
            SkipBefore = anchor;
            _tie = anchor;
        }

        public void Advance(SearchPage page)
        {
            PagesDone++;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill {JobId}: paused by Jira until {Until:O}, reason {Reason}")]
    private partial void LogPaused(string jobId, DateTimeOffset until, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill {JobId}: resumed after Jira's rate window")]
    private partial void LogResumed(string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill {JobId}: heartbeat failed")]
    private partial void LogHeartbeatFailed(Exception exception, string jobId);
}
