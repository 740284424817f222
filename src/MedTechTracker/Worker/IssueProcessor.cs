using System.Diagnostics;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Shadow;
using MedTechTracker.Storage;
using MedTechTracker.Telemetry;

namespace MedTechTracker.Worker;

/// <summary>
/// The work done for one queue message: project mode → read the issue → plan → (Shadow: log, and keep in the
/// in-memory Shadow report) / (On: create the missing sub-tasks) → an outcome for the queue. Issue text only lives in memory here; logs, span tags,
/// metric tags and outcome reasons carry issue keys, rule ids and Jira's errors only.
/// The same for a created and an edited issue: the plan comes from a fresh read, so the number and order of the messages
/// do not matter. A sub-task whose rule is recorded in the <see cref="FiredRulesLedger"/> but is gone was deleted by a
/// person and is not recreated; a sub-task whose rule no longer fires is left alone.
/// </summary>
public sealed partial class IssueProcessor(
    ISettingsStore settings,
    IJiraClient jira,
    FiredRulesLedger ledger,
    RulesProvider rules,
    ShadowReport shadow,
    ParentWriteLocks locks,
    BulkCreateBatcher bulk,
    TimeProvider time,
    ILogger<IssueProcessor> logger)
{
    public async Task<ProcessingOutcome> ProcessAsync(IssueReference message, int deliveryCount, CancellationToken cancellationToken)
    {
        var parent = ActivityContext.TryParse(message.TraceParent, message.TraceState, out var context) ? context : default;
        using var activity = TrackerTelemetry.ActivitySource.StartActivity("worker.process", ActivityKind.Consumer, parent);
        activity?.SetTag("issue.key", message.IssueKey);
        activity?.SetTag("project.key", message.ProjectKey);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.delivery_count", deliveryCount);

        var started = time.GetTimestamp();

        // In flight until this returns: a shared bulk create waits for this message's sub-tasks, or for it to finish without any.
        using var participant = bulk.Join();
        ProcessingOutcome outcome;
        try
        {
            outcome = await ProcessCoreAsync(message, participant, activity, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw;
        }
        catch (JiraRateLimitedException ex)
        {
            outcome = ProcessingOutcome.Deferred(ex.Until, $"{message.IssueKey}: paused by Jira until {ex.Until:O}, reason {ex.Reason ?? "unspecified"}");
        }
        catch (JiraException ex) when (ex.Permanent)
        {
            outcome = ProcessingOutcome.DeadLettered($"{message.IssueKey}: Jira refused the request permanently: {ex.Message}");
        }
        catch (Exception ex)
        {
            outcome = ProcessingOutcome.Abandoned($"{message.IssueKey}: {Describe(ex)}");
        }

        var elapsed = time.GetElapsedTime(started);
        TrackerTelemetry.ProcessingDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome.Result));
        activity?.SetTag("mtc.outcome", outcome.Result);
        if (outcome.Disposition != MessageDisposition.Complete)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Result);
        }

        return outcome;
    }

    private async Task<ProcessingOutcome> ProcessCoreAsync(IssueReference message, BulkCreateBatcher.Participant participant, Activity? activity, CancellationToken cancellationToken)
    {
        var project = await settings.GetAsync(message.ProjectKey, cancellationToken).ConfigureAwait(false);
        if (project is null || project.Mode == ProjectMode.Off)
        {
            LogProjectOff(message.IssueKey, message.ProjectKey);
            return ProcessingOutcome.Completed("off");
        }

        // From this strongly consistent read until the create returns, no backfill in this process writes under this parent.
        using var parentLock = await locks.AcquireAsync(message.IssueKey, cancellationToken).ConfigureAwait(false);
        var issue = await jira.GetIssueAsync(message.IssueKey, cancellationToken).ConfigureAwait(false);
        if (issue is null)
        {
            // 404 means deleted or not visible to the bot: one cached check of the project tells which.
            if (!await jira.IsProjectVisibleAsync(message.ProjectKey, cancellationToken).ConfigureAwait(false))
            {
                return ProcessingOutcome.DeadLettered($"{message.IssueKey}: not visible to the bot: Jira answers 404 for the issue and for project {message.ProjectKey}; give the bot account Browse projects (and Create issues) in {message.ProjectKey}");
            }

            LogIssueGone(message.IssueKey);
            return ProcessingOutcome.Completed("gone");
        }

        if (issue.IsSubtask)
        {
            LogIssueIsSubtask(message.IssueKey);
            return ProcessingOutcome.Completed("subtask");
        }

        // The issue may have been moved to another project since the webhook: its current project decides.
        if (issue.ProjectKey is { Length: > 0 } currentProject && !string.Equals(currentProject, project.ProjectKey, StringComparison.Ordinal))
        {
            activity?.SetTag("project.key", currentProject);
            project = await settings.GetAsync(currentProject, cancellationToken).ConfigureAwait(false);
            if (project is null || project.Mode == ProjectMode.Off)
            {
                LogProjectOff(message.IssueKey, currentProject);
                return ProcessingOutcome.Completed("off");
            }
        }

        var plan = Planner.Plan(rules.Current, issue, project.SafetyClass);
        var ruleIds = string.Join(',', plan.RuleIds);
        activity?.SetTag("mtc.rules.count", plan.Matches.Count);
        activity?.SetTag("mtc.subtasks.planned", plan.ToCreate.Count);
        TrackerTelemetry.IssuesEvaluated.Add(1, new("mode", "live"), new("project_mode", project.Mode.ToString()));
        foreach (var match in plan.Matches)
        {
            TrackerTelemetry.RulesFired.Add(1, new KeyValuePair<string, object?>("rule", match.RuleId));
        }

        if (plan.NoLongerMatching.Count > 0)
        {
            LogLeftAlone(message.IssueKey, string.Join(',', plan.NoLongerMatching.Select(s => s.RuleId)));
        }

        if (project.Mode == ProjectMode.Shadow)
        {
            shadow.Record(project.ProjectKey, plan);
            LogShadowPlan(message.IssueKey, project.ProjectKey, ruleIds, string.Join(',', plan.ToCreate.Select(s => s.RuleId)));
            if (plan.ToCreate.Count > 0)
            {
                TrackerTelemetry.SubtasksPlannedInShadow.Add(plan.ToCreate.Count, new KeyValuePair<string, object?>("project", project.ProjectKey));
            }

            return ProcessingOutcome.Completed("shadow");
        }

        if (plan.ToCreate.Count == 0)
        {
            LogNothingToCreate(message.IssueKey, ruleIds, plan.AlreadyPresent.Count);
            return ProcessingOutcome.Completed(plan.Matches.Count == 0 ? "no_match" : "up_to_date");
        }

        // Read with the issue (an extra call only when Jira's answer carried no properties).
        var fired = await ledger.ReadAsync(issue, cancellationToken).ConfigureAwait(false);
        var deleted = plan.ToCreate.Where(s => fired.Contains(s.RuleId)).Select(s => s.RuleId).ToList();
        var missing = plan.ToCreate.Where(s => !fired.Contains(s.RuleId)).ToList();
        if (deleted.Count > 0)
        {
            activity?.SetTag("mtc.subtasks.deleted_on_purpose", deleted.Count);
            LogNotRecreated(message.IssueKey, string.Join(',', deleted));
        }

        if (missing.Count == 0)
        {
            return ProcessingOutcome.Completed("deleted_on_purpose");
        }

        return await CreateAsync(message.IssueKey, project.ProjectKey, plan, missing, fired, participant, activity, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProcessingOutcome> CreateAsync(
        string issueKey, string projectKey, IssuePlan plan, IReadOnlyList<PlannedSubtask> missing, IReadOnlySet<string> fired,
        BulkCreateBatcher.Participant participant, Activity? activity, CancellationToken cancellationToken)
    {
        var screen = await jira.GetSubtaskScreenAsync(projectKey, cancellationToken).ConfigureAwait(false);
        if (screen.Refusal is { } refusal)
        {
            // The project is refused as a whole (shown on /readyz and the admin page), not one dead letter per issue.
            LogProjectRefused(issueKey, refusal);
            return ProcessingOutcome.Completed("project_refused");
        }

        var items = missing.Select(s => SubtaskToCreate.On(screen, issueKey, s)).ToList();
        var result = await bulk.CreateAsync(participant, items, cancellationToken).ConfigureAwait(false);
        if (result.Created.Count > 0)
        {
            TrackerTelemetry.SubtasksCreated.Add(result.Created.Count, new KeyValuePair<string, object?>("project", projectKey));
        }

        activity?.SetTag("mtc.subtasks.created", result.Created.Count);
        LogCreated(issueKey, result.Created.Count, string.Join(',', result.Created.Select(c => c.Item.Subtask.RuleId)), string.Join(',', result.Created.Select(c => c.Key)));
        await RecordFiredAsync(issueKey, fired, [.. plan.AlreadyPresent.Select(s => s.RuleId), .. result.Created.Select(c => c.Item.Subtask.RuleId)], cancellationToken).ConfigureAwait(false);

        if (result.Failed.Count == 0)
        {
            return ProcessingOutcome.Completed("created", result.Created.Count);
        }

        // The next delivery re-reads the parent's sub-tasks, so only the items that failed are tried again.
        var transient = result.Failed.Where(f => !f.Permanent).ToList();
        if (transient.Count > 0)
        {
            return ProcessingOutcome.Abandoned($"{issueKey}: {transient.Count} sub-task(s) failed transiently: {Failures(transient)}", result.Created.Count);
        }

        return ProcessingOutcome.DeadLettered($"{issueKey}: Jira refused {result.Failed.Count} sub-task(s): {Failures(result.Failed)}", result.Created.Count);
    }

    /// <summary>
    /// Adds what exists now to the issue's record. A failure here only costs the record, never a duplicate: the sub-tasks
    /// are there and the next plan sees them; only a sub-task deleted before the record is written could come back.
    /// </summary>
    private async Task RecordFiredAsync(string issueKey, IReadOnlySet<string> fired, IReadOnlyList<string> existing, CancellationToken cancellationToken)
    {
        if (existing.All(fired.Contains))
        {
            return;
        }

        try
        {
            await ledger.WriteAsync(issueKey, fired.Concat(existing), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            LogRecordFailed(issueKey, Describe(ex));
        }
    }

    private static string Failures(IEnumerable<FailedSubtask> failures) =>
        string.Join("; ", failures.Select(f => $"rule {f.Item.Subtask.RuleId}: HTTP {f.Status} {f.Error}"));

    /// <summary>Exception text we did not write could quote a payload, so only well-known failures are described in full.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        JiraException jira => $"Jira call failed (transient): {jira.Message}",
        HttpRequestException http => $"HTTP request failed{(http.StatusCode is { } status ? $" with {(int)status}" : "")} ({http.HttpRequestError})",
        Polly.CircuitBreaker.BrokenCircuitException => "Jira circuit breaker is open",
        Polly.Timeout.TimeoutRejectedException or TimeoutException or TaskCanceledException => "Jira call timed out",
        _ => $"{ex.GetType().Name} while processing",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{IssueKey}: project {ProjectKey} is Off; nothing to do")]
    private partial void LogProjectOff(string issueKey, string projectKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "{IssueKey}: issue gone (404); nothing to do")]
    private partial void LogIssueGone(string issueKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{IssueKey}: no sub-task created: {Reason}")]
    private partial void LogProjectRefused(string issueKey, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{IssueKey}: is a sub-task; nothing to do")]
    private partial void LogIssueIsSubtask(string issueKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "{IssueKey}: Shadow mode in {ProjectKey}: rules [{RuleIds}] fired; would create [{WouldCreate}]")]
    private partial void LogShadowPlan(string issueKey, string projectKey, string ruleIds, string wouldCreate);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{IssueKey}: nothing to create (rules [{RuleIds}], {AlreadyPresent} already present)")]
    private partial void LogNothingToCreate(string issueKey, string ruleIds, int alreadyPresent);

    [LoggerMessage(Level = LogLevel.Information, Message = "{IssueKey}: not recreating the sub-tasks of rules [{RuleIds}]: they were created before and someone deleted them")]
    private partial void LogNotRecreated(string issueKey, string ruleIds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{IssueKey}: rules [{RuleIds}] no longer fire; their existing sub-tasks are left alone")]
    private partial void LogLeftAlone(string issueKey, string ruleIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{IssueKey}: could not record the fired rules on the issue ({Reason}); a sub-task deleted later may be recreated")]
    private partial void LogRecordFailed(string issueKey, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{IssueKey}: created {Count} sub-task(s) for rules [{RuleIds}]: {SubtaskKeys}")]
    private partial void LogCreated(string issueKey, int count, string ruleIds, string subtaskKeys);
}
