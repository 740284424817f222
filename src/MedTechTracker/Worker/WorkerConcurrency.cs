using MedTechTracker.Jira;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Worker;

/// <summary>
/// How many messages the worker takes on at once: <see cref="IssuesPerJiraSlot"/> per call Jira's rate governor allows
/// right now, never more than <see cref="WorkerOptions.Concurrency"/>. The governor raises its limit while Jira answers
/// fast and cuts it on 429s and slow answers, so the worker's intake follows Jira instead of a constant.
/// </summary>
public sealed class WorkerConcurrency(JiraRateGovernor governor, IOptions<WorkerOptions> options)
{
    /// <summary>
    /// A message holds a Jira call only part of its time (its read, and a share of a bulk create it waits for with
    /// others), so several messages per call slot keep the slots busy and fill the bulk creates.
    /// </summary>
    public const int IssuesPerJiraSlot = 4;

    private readonly int _ceiling = options.Value.Concurrency;

    public int Ceiling => _ceiling;

    public int Target => Math.Clamp(governor.Limit * IssuesPerJiraSlot, 1, _ceiling);
}
