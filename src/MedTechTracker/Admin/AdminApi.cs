using System.Text.Json.Nodes;
using MedTechTracker.Backfill;
using MedTechTracker.Jira;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Shadow;
using MedTechTracker.Hosting;
using MedTechTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MedTechTracker.Admin;

/// <summary><c>/admin/api</c>: projects, rules, explain and backfills. Every change is logged with the admin key's name.</summary>
public static partial class AdminApi
{
    private const string LoggerName = "MedTechTracker.Admin";

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/admin/api")
            .RequireRateLimiting(AdminRateLimiting.ApiPolicy)
            .RequireAuthorization(AdminAuth.Policy)
            .AddEndpointFilter<AdminAntiforgeryFilter>()
            .DisableAntiforgery();
        api.MapGet("/projects", ListProjects);
        api.MapPut("/projects/{key}", UpdateProject);
        api.MapGet("/projects/{key}/shadow", GetShadow);
        api.MapGet("/rules", GetRules);
        api.MapPost("/explain", Explain);
        api.MapPost("/backfills", StartBackfill);
        api.MapGet("/backfills", ListBackfills);
        api.MapGet("/backfills/{id}", GetBackfill);
        api.MapPost("/backfills/{id}/cancel", CancelBackfill);
        api.MapPost("/backfills/{id}/resume", ResumeBackfill);
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<ProjectView>>, ProblemHttpResult>> ListProjects(
        JiraProjectCatalog catalog, ISettingsStore settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<JiraProject> projects;
        try
        {
            projects = await catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JiraException or HttpRequestException or TimeoutException)
        {
            return JiraUnavailable(ex);
        }

        return TypedResults.Ok(await MergeAsync(projects, settings, cancellationToken).ConfigureAwait(false));
    }

    internal static async Task<IReadOnlyList<ProjectView>> MergeAsync(IReadOnlyList<JiraProject> projects, ISettingsStore settings, CancellationToken cancellationToken)
    {
        var configured = (await settings.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.ProjectKey, StringComparer.Ordinal);
        var views = projects.Select(p => View(p.Key, p.Name, configured.GetValueOrDefault(p.Key), inJira: true)).ToList();
        views.AddRange(configured.Values.Where(s => projects.All(p => p.Key != s.ProjectKey)).Select(s => View(s.ProjectKey, null, s, inJira: false)));
        return [.. views.OrderBy(v => v.Key, StringComparer.Ordinal)];
    }

    public static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> UpdateProject(
        string key,
        ProjectUpdate body,
        JiraProjectCatalog catalog,
        ISettingsStore settings,
        TimeProvider time,
        HttpContext context,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (BackfillJql.ValidateProjectKey(key) is { } keyError)
        {
            return Invalid(keyError);
        }

        if (!Enum.TryParse<ProjectMode>(body.Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(body.Mode, out _))
        {
            return Invalid($"mode must be one of Off, Shadow, On (got '{body.Mode}').");
        }

        if (!Enum.TryParse<SafetyClass>(body.SafetyClass, ignoreCase: true, out var safetyClass) || !Enum.IsDefined(safetyClass) || int.TryParse(body.SafetyClass, out _))
        {
            return Invalid($"safetyClass must be one of A, B, C (the project's IEC 62304 software safety class; got '{body.SafetyClass}').");
        }

        JiraProject? project;
        try
        {
            project = await catalog.FindAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JiraException or HttpRequestException or TimeoutException)
        {
            return JiraUnavailable(ex);
        }

        if (project is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such Jira project",
                detail: $"The bot account cannot see a Jira project {key}. Check the key, or grant the bot 'Browse projects' in that project.");
        }

        var admin = AdminAuth.NameOf(context.User);
        var onUpdate = body.OnUpdate ?? (await settings.GetAsync(key, cancellationToken).ConfigureAwait(false))?.OnUpdate ?? true;
        var saved = new ProjectSettings(key, mode, safetyClass, time.GetUtcNow(), admin, onUpdate);
        await settings.SaveAsync(saved, cancellationToken).ConfigureAwait(false);
        LogProjectChanged(loggers.CreateLogger(LoggerName), admin, key, mode, safetyClass, onUpdate);
        return TypedResults.Ok(View(key, project.Name, saved, inJira: true));
    }

    public static async Task<Results<Ok<ShadowView>, ProblemHttpResult>> GetShadow(
        string key, ISettingsStore settings, ShadowReport shadow, ServiceRoleMarker role, CancellationToken cancellationToken)
    {
        if (!ProjectKey.IsValid(key))
        {
            return Invalid($"'{key}' is not a Jira project key ({ProjectKey.Rule}).");
        }

        var project = await settings.GetAsync(key, cancellationToken).ConfigureAwait(false) ?? ProjectSettings.Unconfigured(key);
        var report = shadow.Get(key);
        if (report is null && project.Mode != ProjectMode.Shadow)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Not a Shadow project",
                detail: $"Project {key} is {project.Mode}, not Shadow, and nothing was decided for it in Shadow mode since this process started. "
                    + $"Set it to Shadow (PUT /admin/api/projects/{key} with mode Shadow, or `projects enable {key} --shadow`) to see what the bot would create.");
        }

        return TypedResults.Ok(ShadowView.Of(project, report ?? shadow.Empty(key), role.Role.HasFlag(ServiceRole.Worker)));
    }

    public static Ok<RulesView> GetRules(RulesProvider rules)
    {
        var set = rules.Current.RuleSet;
        return TypedResults.Ok(new RulesView(
            rules.Path,
            rules.LoadedAt,
            set.SummaryTemplate,
            set.Rules.Count,
            [.. set.Rules.Select(r => new RuleView(r.Id, r.Title, r.Standard, r.Clause, [.. r.SafetyClasses.Select(c => c.ToString())]))]));
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Explain(
        ExplainRequest body,
        IJiraClient jira,
        ISettingsStore settings,
        RulesProvider rules,
        CancellationToken cancellationToken)
    {
        var key = body.IssueKey?.ToUpperInvariant() ?? "";
        if (!ProjectKey.IsValidIssueKey(key))
        {
            return Invalid($"issueKey must be a Jira issue key: {ProjectKey.IssueKeyRule}.");
        }

        IssueSnapshot? issue;
        try
        {
            issue = await jira.GetIssueAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (JiraException ex) when (ex.Permanent && ex.InnerException is System.Text.Json.JsonException)
        {
            // Jira answered, but with a document that cannot be processed (nested too deep): this issue's problem, not Jira's.
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "The issue cannot be explained",
                detail: Diagnostics.SafeText.Clean(ex.Message));
        }
        catch (Exception ex) when (ex is JiraException or HttpRequestException or TimeoutException)
        {
            return JiraUnavailable(ex);
        }

        if (issue is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such issue",
                detail: $"Jira has no issue {key} that the bot account can see.");
        }

        var projectKey = issue.ProjectKey ?? key[..key.LastIndexOf('-')];
        var project = await settings.GetAsync(projectKey, cancellationToken).ConfigureAwait(false) ?? ProjectSettings.Unconfigured(projectKey);
        var plan = Planner.Plan(rules.Current, issue, project.SafetyClass);
        var json = PlanJson.Of(issue, plan);
        json["project"] = projectKey;
        json["projectMode"] = project.Mode.ToString();
        json["wouldCreate"] = project.Mode == ProjectMode.On;
        return TypedResults.Ok(json);
    }

    public static async Task<Results<Accepted<BackfillView>, ProblemHttpResult>> StartBackfill(
        StartBackfillBody body, BackfillJobs jobs, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await jobs.StartAsync(new BackfillRequest(body.Project ?? "", body.Jql, body.CreatedAfter, body.DryRun), AdminAuth.NameOf(context.User), cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? TypedResults.Accepted($"/admin/api/backfills/{result.Job!.Id}", BackfillView.Of(result.Job, time.GetUtcNow()))
            : Refused(result);
    }

    public static async Task<Ok<IReadOnlyList<BackfillView>>> ListBackfills(BackfillJobs jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<BackfillView>>([.. (await jobs.ListAsync(cancellationToken).ConfigureAwait(false)).Select(j => BackfillView.Of(j, now))]);
    }

    public static async Task<Results<Ok<BackfillView>, ProblemHttpResult>> GetBackfill(string id, BackfillJobs jobs, TimeProvider time, CancellationToken cancellationToken) =>
        await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } job
            ? TypedResults.Ok(BackfillView.Of(job, time.GetUtcNow()))
            : Refused(BackfillCommandResult.Fail(BackfillErrorKind.NotFound, $"There is no backfill job {id}; GET /admin/api/backfills lists them."));

    public static async Task<Results<Ok<BackfillView>, ProblemHttpResult>> CancelBackfill(string id, BackfillJobs jobs, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await jobs.CancelAsync(id, AdminAuth.NameOf(context.User), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? TypedResults.Ok(BackfillView.Of(result.Job!, time.GetUtcNow())) : Refused(result);
    }

    public static async Task<Results<Ok<BackfillView>, ProblemHttpResult>> ResumeBackfill(string id, BackfillJobs jobs, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await jobs.ResumeAsync(id, AdminAuth.NameOf(context.User), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? TypedResults.Ok(BackfillView.Of(result.Job!, time.GetUtcNow())) : Refused(result);
    }

    private static ProjectView View(string key, string? name, ProjectSettings? settings, bool inJira) => new(
        key,
        name,
        (settings?.Mode ?? ProjectMode.Off).ToString(),
        (settings?.SafetyClass ?? SafetyClass.C).ToString(),
        inJira,
        settings?.UpdatedAt,
        settings?.UpdatedBy,
        settings?.OnUpdate ?? true);

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);

    private static ProblemHttpResult JiraUnavailable(Exception ex) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status502BadGateway,
            title: "Jira did not answer",
            detail: $"{Diagnostics.SafeText.Clean(ex.Message)} Check Jira__BaseUrl and the bot's credentials, then try again.");

    private static ProblemHttpResult Refused(BackfillCommandResult result) => result.ErrorKind switch
    {
        BackfillErrorKind.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such backfill", detail: result.Error),
        BackfillErrorKind.Conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Backfill refused", detail: result.Error),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid backfill", detail: result.Error),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Admin} set project {ProjectKey} to {Mode}, safety class {SafetyClass}, on update {OnUpdate}")]
    private static partial void LogProjectChanged(ILogger logger, string admin, string projectKey, ProjectMode mode, SafetyClass safetyClass, bool onUpdate);
}
