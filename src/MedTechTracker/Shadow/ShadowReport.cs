using System.Collections.Concurrent;
using MedTechTracker.Rules.Planning;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Shadow;

/// <summary>
/// What the worker would have created in Shadow projects since this process started. Memory only, bounded (a ring of
/// recent decisions per project, a cap on projects), and holding issue keys, rule ids and rendered sub-task summaries,
/// never an issue's summary or description. Nothing here is persisted; a restart starts from zero.
/// </summary>
public sealed class ShadowReport(IOptions<ShadowOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ShadowProjectLog> _projects = new(StringComparer.Ordinal);
    private readonly ShadowOptions _options = options.Value;
    private readonly Lock _addGate = new();

    /// <summary>When counting began (the process start, as far as this report knows).</summary>
    public DateTimeOffset Since { get; } = time.GetUtcNow();

    public int RecentCapacity => _options.RecentDecisions;

    public void Record(string projectKey, IssuePlan plan)
    {
        if (!_projects.TryGetValue(projectKey, out var log))
        {
            lock (_addGate)
            {
                if (!_projects.TryGetValue(projectKey, out log))
                {
                    if (_projects.Count >= _options.MaxProjects)
                    {
                        return;
                    }

                    log = new ShadowProjectLog(projectKey, _options.RecentDecisions);
                    _projects[projectKey] = log;
                }
            }
        }

        log.Add(new ShadowDecision(
            plan.IssueKey,
            time.GetUtcNow(),
            plan.SafetyClass,
            [.. plan.RuleIds],
            [.. plan.ToCreate.Select(s => new ShadowSubtask(s.RuleId, s.Summary))],
            plan.AlreadyPresent.Count));
    }

    /// <summary>The project's record, or null when nothing was decided for it since the process started.</summary>
    public ShadowProjectReport? Get(string projectKey) => _projects.TryGetValue(projectKey, out var log) ? log.Snapshot(Since) : null;

    /// <summary>An empty record for a project with no decisions yet.</summary>
    public ShadowProjectReport Empty(string projectKey) => new(projectKey, Since, 0, 0, 0, [], [], RecentCapacity);
}
