using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MedTechTracker.Jira;

/// <summary>
/// /readyz: Degraded (still 200) while Jira's rate window is closed or a project cannot take sub-tasks as configured;
/// says until when, why, and which projects' create screens lack fields. Never calls Jira itself.
/// </summary>
internal sealed class JiraHealthCheck(JiraRateGovernor governor, JiraProjectChecks projects) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = governor.State;
        var data = new Dictionary<string, object>
        {
            ["concurrencyLimit"] = state.ConcurrencyLimit,
            ["inFlight"] = state.InFlight,
            ["throttled"] = state.Throttled,
        };
        var problems = new List<string>();
        if (state.PausedUntil is { } until)
        {
            data["pausedUntil"] = until.ToString("O", CultureInfo.InvariantCulture);
            data["pauseReason"] = state.Reason ?? "unspecified";
            problems.Add($"paused by Jira until {until:HH:mm:ss} UTC, reason {state.Reason ?? "unspecified"}");
        }

        foreach (var screen in projects.KnownScreens)
        {
            if (screen.Refusal is { } refusal)
            {
                data[$"project.{screen.ProjectKey}"] = refusal;
                problems.Add(refusal);
            }
            else if (screen.Lacking.Count > 0)
            {
                var lacking = $"create screen lacks {string.Join(" and ", screen.Lacking)} (created without)";
                data[$"project.{screen.ProjectKey}"] = lacking;
                problems.Add($"{screen.ProjectKey}: {lacking}");
            }
        }

        foreach (var hidden in projects.HiddenProjects)
        {
            data[$"project.{hidden}"] = "not visible to the bot";
            problems.Add($"{hidden}: not visible to the bot");
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("Jira is open.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data));
    }
}
