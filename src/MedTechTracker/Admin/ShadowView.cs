using MedTechTracker.Shadow;
using MedTechTracker.Storage;

namespace MedTechTracker.Admin;

/// <summary>
/// <c>GET /admin/api/projects/{key}/shadow</c>: the project's settings and what the bot would have created since this
/// process started. <see cref="WorkerInProcess"/> is false when this process does not run the worker (role <c>ingress</c>),
/// in which case nothing is recorded here and <see cref="Note"/> says where the decisions are.
/// </summary>
public sealed record ShadowView(
    string Project,
    string Mode,
    string SafetyClass,
    bool WorkerInProcess,
    DateTimeOffset Since,
    int Capacity,
    int IssuesEvaluated,
    int IssuesWithRules,
    int SubtasksWouldCreate,
    IReadOnlyList<ShadowRuleCount> Rules,
    IReadOnlyList<ShadowDecision> Recent,
    string? Note)
{
    public const string NoWorkerNote =
        "This process does not run the worker (role ingress), so it decides nothing and its Shadow report stays empty. "
        + "Each worker keeps its own Shadow report in memory: ask a process started with the serve role, or read the worker's Shadow log lines.";

    public static ShadowView Of(ProjectSettings settings, ShadowProjectReport report, bool workerInProcess) => new(
        settings.ProjectKey,
        settings.Mode.ToString(),
        settings.SafetyClass.ToString(),
        workerInProcess,
        report.Since,
        report.Capacity,
        report.IssuesEvaluated,
        report.IssuesWithRules,
        report.SubtasksWouldCreate,
        report.Rules,
        report.Recent,
        workerInProcess ? null : NoWorkerNote);
}
