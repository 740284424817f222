using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using MedTechTracker.Backfill;
using MedTechTracker.Jira;
using MedTechTracker.Hosting;
using MedTechTracker.Rules;
using MedTechTracker.Shadow;
using MedTechTracker.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MedTechTracker.Admin;

/// <summary>
/// <c>/admin</c>: a server-rendered page (login form, or projects, backfills, explain and rules) whose small
/// script and stylesheet are embedded in the executable, so nothing comes from a CDN and the CSP can forbid inline code.
/// </summary>
public static partial class AdminPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static void MapAdminPage(this IEndpointRouteBuilder app)
    {
        var page = app.MapGroup("/admin").DisableAntiforgery();
        page.MapGet("", Index);
        page.MapPost("/login", Login).RequireRateLimiting(AdminRateLimiting.LoginPolicy);
        page.MapPost("/logout", Logout);
        page.MapGet("/assets/{name}", Asset);
    }

    /// <summary>Security headers for every /admin response: no inline script or style, nothing from elsewhere, never framed, never cached.</summary>
    public static void UseAdminSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
        }

        await next(context).ConfigureAwait(false);
    });

    public static async Task<ContentHttpResult> Index(
        HttpContext context,
        IAntiforgery antiforgery,
        JiraProjectCatalog catalog,
        ISettingsStore settings,
        BackfillJobs jobs,
        RulesProvider rules,
        ShadowReport shadow,
        ServiceRoleMarker role,
        TimeProvider time,
        JiraRateGovernor governor,
        JiraProjectChecks projectChecks,
        CancellationToken cancellationToken)
    {
        var auth = await context.AuthenticateAsync(AdminAuth.CookieScheme).ConfigureAwait(false);
        if (!auth.Succeeded)
        {
            return LoginPage(antiforgery.GetAndStoreTokens(context), error: null, StatusCodes.Status200OK);
        }

        context.User = auth.Principal;
        var tokens = antiforgery.GetAndStoreTokens(context);
        IReadOnlyList<ProjectView> projects;
        string? projectsError = null;
        try
        {
            projects = await AdminApi.MergeAsync(await catalog.ListAsync(cancellationToken).ConfigureAwait(false), settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JiraException or HttpRequestException or TimeoutException)
        {
            projects = await AdminApi.MergeAsync([], settings, cancellationToken).ConfigureAwait(false);
            projectsError = "Jira's project list could not be read; only configured projects are shown.";
        }

        var now = time.GetUtcNow();
        var jobList = (await jobs.ListAsync(cancellationToken).ConfigureAwait(false)).Select(j => BackfillView.Of(j, now)).ToList();
        var shadowSection = ShadowSection(projects, shadow, role.Role.HasFlag(ServiceRole.Worker));
        return TypedResults.Content(Dashboard(AdminAuth.NameOf(auth.Principal), tokens.RequestToken!, projects, projectsError, shadowSection, jobList, AdminApi.GetRules(rules).Value!, JiraNotes(governor, projectChecks)), "text/html; charset=utf-8");
    }

    public static async Task<Results<RedirectHttpResult, ContentHttpResult>> Login(HttpContext context, IAntiforgery antiforgery, AdminKeys keys, AdminSessions sessions, AdminLockout lockout, ILoggerFactory loggers)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return LoginPage(antiforgery.GetAndStoreTokens(context), "The form expired. Enter the key again.", StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var name = keys.NameOf(form["key"].ToString());
        var client = context.Connection.RemoteIpAddress;
        if (name is null)
        {
            lockout.Failed(client);
            LogLoginRefused(loggers.CreateLogger("MedTechTracker.Admin"), AdminAuth.ClientOf(context));
            return LoginPage(antiforgery.GetAndStoreTokens(context), "That is not an admin key.", StatusCodes.Status401Unauthorized);
        }

        lockout.Succeeded(client);
        var principal = await sessions.OpenAsync(name, context.RequestAborted).ConfigureAwait(false);
        await context.SignInAsync(AdminAuth.CookieScheme, principal, new AuthenticationProperties { IsPersistent = false }).ConfigureAwait(false);
        LogLoggedIn(loggers.CreateLogger("MedTechTracker.Admin"), name);
        return TypedResults.Redirect("/admin");
    }

    public static async Task<Results<RedirectHttpResult, BadRequest<string>>> Logout(HttpContext context, IAntiforgery antiforgery, AdminSessions sessions)
    {
        var auth = await context.AuthenticateAsync(AdminAuth.CookieScheme).ConfigureAwait(false);
        if (auth.Succeeded)
        {
            context.User = auth.Principal;
        }

        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return TypedResults.BadRequest("The anti-forgery token is missing or invalid. Reload /admin and try again.");
        }

        // Ends the session on the server too (every session of this key), not just the browser's cookie.
        if (auth.Succeeded)
        {
            await sessions.EndAsync(auth.Principal, context.RequestAborted).ConfigureAwait(false);
        }

        await context.SignOutAsync(AdminAuth.CookieScheme).ConfigureAwait(false);
        return TypedResults.Redirect("/admin");
    }

    public static Results<FileContentHttpResult, NotFound> Asset(string name)
    {
        var contentType = name switch
        {
            "admin.js" => "text/javascript; charset=utf-8",
            "admin.css" => "text/css; charset=utf-8",
            "favicon.svg" => "image/svg+xml",
            _ => null,
        };
        if (contentType is null)
        {
            return TypedResults.NotFound();
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"MedTechTracker.Admin.Assets.{name}");
        if (stream is null)
        {
            return TypedResults.NotFound();
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return TypedResults.File(buffer.ToArray(), contentType);
    }

    private static ContentHttpResult LoginPage(AntiforgeryTokenSet tokens, string? error, int status)
    {
        var body = new StringBuilder();
        body.Append("<main class=\"login\"><h1>MedTech Compliance Tracker</h1><h2>Admin sign-in</h2>");
        if (error is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" role=\"alert\">{E(error)}</p>");
        }

        body.Append("<form method=\"post\" action=\"/admin/login\">")
            .Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{AdminAuth.AntiforgeryField}\" value=\"{E(tokens.RequestToken!)}\">")
            .Append("<label for=\"key\">Admin key</label>")
            .Append("<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required autofocus>")
            .Append("<button type=\"submit\">Sign in</button></form></main>");
        return TypedResults.Content(Document("Admin sign-in", null, body.ToString()), "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>What Jira is doing to this process: a closed rate window, refused or restricted projects, hidden projects.</summary>
    internal static IReadOnlyList<string> JiraNotes(JiraRateGovernor governor, JiraProjectChecks projects)
    {
        var notes = new List<string>();
        var state = governor.State;
        if (state.PausedUntil is { } until)
        {
            notes.Add($"Paused by Jira until {until:HH:mm} UTC ({until:O}), reason {state.Reason ?? "unspecified"}: work is deferred and the backfill waits, nothing is lost.");
        }

        foreach (var screen in projects.KnownScreens)
        {
            if (screen.Refusal is { } refusal)
            {
                notes.Add($"Refused: {refusal}.");
            }
            else if (screen.Lacking.Count > 0)
            {
                notes.Add($"{screen.ProjectKey}: the sub-task create screen lacks {string.Join(" and ", screen.Lacking)}; sub-tasks are created without them.");
            }
        }

        foreach (var hidden in projects.HiddenProjects)
        {
            notes.Add($"{hidden}: not visible to the bot (Jira answers 404); its issues are dead-lettered. Give the bot account Browse projects.");
        }

        return notes;
    }

    private static string Dashboard(string admin, string token, IReadOnlyList<ProjectView> projects, string? projectsError, string shadowSection, IReadOnlyList<BackfillView> jobs, RulesView rules, IReadOnlyList<string> jiraNotes)
    {
        var b = new StringBuilder();
        b.Append("<header><h1>MedTech Compliance Tracker</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Signed in as <strong>{E(admin)}</strong></p>")
            .Append("<form method=\"post\" action=\"/admin/logout\">")
            .Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{AdminAuth.AntiforgeryField}\" value=\"{E(token)}\">")
            .Append("<button type=\"submit\">Sign out</button></form></header><main>");

        if (jiraNotes.Count > 0)
        {
            b.Append("<section aria-labelledby=\"jira-heading\"><h2 id=\"jira-heading\">Jira</h2><ul id=\"jira-notes\">");
            foreach (var note in jiraNotes)
            {
                b.Append(CultureInfo.InvariantCulture, $"<li>{E(note)}</li>");
            }

            b.Append("</ul></section>");
        }

        b.Append("<section aria-labelledby=\"projects-heading\"><h2 id=\"projects-heading\">Projects</h2>")
            .Append("<p>Off: ignored. Shadow: the plan is logged and shown in the Shadow report below, nothing is created. On: the bot creates the sub-tasks. On update: an edit of the summary, description or issue type re-plans the issue and adds the sub-tasks it now needs.</p>");
        if (projectsError is not null)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" role=\"alert\">{E(projectsError)}</p>");
        }

        b.Append("<p id=\"projects-status\" role=\"status\" aria-live=\"polite\"></p>")
            .Append("<table id=\"projects\"><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Name</th><th scope=\"col\">Mode</th><th scope=\"col\">Safety class</th><th scope=\"col\">On update</th><th scope=\"col\">Last change</th><th scope=\"col\">Save</th></tr></thead><tbody>");
        foreach (var p in projects)
        {
            var k = E(p.Key);
            b.Append(CultureInfo.InvariantCulture, $"<tr data-key=\"{k}\"><th scope=\"row\">{k}</th><td>{E(p.Name ?? (p.InJira ? "" : "(not visible in Jira)"))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><label class=\"sr-only\" for=\"mode-{k}\">Mode of {k}</label><select id=\"mode-{k}\" class=\"mode\">{Options(["Off", "Shadow", "On"], p.Mode)}</select></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><label class=\"sr-only\" for=\"class-{k}\">Safety class of {k}</label><select id=\"class-{k}\" class=\"safety\">{Options(["A", "B", "C"], p.SafetyClass)}</select></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><label class=\"sr-only\" for=\"update-{k}\">Re-plan {k} issues when edited</label><input type=\"checkbox\" id=\"update-{k}\" class=\"on-update\"{(p.OnUpdate ? " checked" : "")}></td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(p.UpdatedAt is { } at ? $"{at:yyyy-MM-dd HH:mm} UTC by {p.UpdatedBy}" : "never")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><button type=\"button\" class=\"save\" data-key=\"{k}\">Save {k}</button></td></tr>");
        }

        b.Append("</tbody></table></section>");
        b.Append(shadowSection);

        b.Append("<section aria-labelledby=\"backfills-heading\"><h2 id=\"backfills-heading\">Backfills</h2>")
            .Append("<form id=\"start-backfill\"><fieldset><legend>Start a backfill</legend>")
            .Append("<label for=\"bf-project\">Project</label><select id=\"bf-project\" required>");
        foreach (var p in projects)
        {
            b.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(p.Key)}\">{E(p.Key)}</option>");
        }

        b.Append("</select>")
            .Append("<label for=\"bf-jql\">Extra JQL filter (optional)</label><input id=\"bf-jql\" type=\"text\" placeholder=\"labels = legacy\">")
            .Append("<label for=\"bf-after\">Created on or after (optional, UTC)</label><input id=\"bf-after\" type=\"datetime-local\">")
            .Append("<span class=\"check\"><input id=\"bf-dry\" type=\"checkbox\" checked><label for=\"bf-dry\">Dry run (count only, write nothing)</label></span>")
            .Append("<button type=\"submit\">Start backfill</button></fieldset></form>")
            .Append("<p id=\"backfill-status\" role=\"status\" aria-live=\"polite\"></p><div id=\"jobs\">");
        foreach (var job in jobs)
        {
            b.Append(CultureInfo.InvariantCulture, $"<article class=\"job\" data-id=\"{E(job.Id)}\"><h3>{E(job.Id)} · {E(job.Project)}{(job.DryRun ? " (dry run)" : "")} · {E(job.Status)}</h3>")
                .Append(CultureInfo.InvariantCulture, $"<progress max=\"100\" value=\"{(job.Percent ?? 0).ToString(CultureInfo.InvariantCulture)}\" aria-label=\"Progress of {E(job.Id)}\"></progress></article>");
        }

        b.Append("</div></section>");

        b.Append("<section aria-labelledby=\"explain-heading\"><h2 id=\"explain-heading\">Explain an issue</h2>")
            .Append("<form id=\"explain\"><label for=\"explain-key\">Issue key</label><input id=\"explain-key\" type=\"text\" required pattern=\"[A-Za-z][A-Za-z0-9_]*-[0-9]+\" placeholder=\"MED-123\">")
            .Append("<button type=\"submit\">Explain</button></form>")
            .Append("<div id=\"explain-result\" role=\"status\" aria-live=\"polite\"></div></section>");

        b.Append("<section aria-labelledby=\"rules-heading\"><h2 id=\"rules-heading\">Rules</h2>")
            .Append(CultureInfo.InvariantCulture, $"<p>{rules.Count} rules from <code>{E(rules.Source)}</code>, loaded {rules.LoadedAt:yyyy-MM-dd HH:mm:ss} UTC.</p>")
            .Append("<table><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Title</th><th scope=\"col\">Standard</th><th scope=\"col\">Clause</th><th scope=\"col\">Classes</th></tr></thead><tbody>");
        foreach (var r in rules.Rules)
        {
            b.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\"><code>{E(r.Id)}</code></th><td>{E(r.Title)}</td><td>{E(r.Standard)}</td><td>{E(r.Clause)}</td><td>{E(string.Join(", ", r.SafetyClasses))}</td></tr>");
        }

        b.Append("</tbody></table></section></main>");
        return Document("Admin", token, b.ToString());
    }

    /// <summary>Per Shadow project (or project with Shadow decisions): counts per rule and the latest decisions, all from memory.</summary>
    private static string ShadowSection(IReadOnlyList<ProjectView> projects, ShadowReport shadow, bool workerInProcess)
    {
        var b = new StringBuilder();
        b.Append("<section aria-labelledby=\"shadow-heading\"><h2 id=\"shadow-heading\">Shadow report</h2>")
            .Append(CultureInfo.InvariantCulture, $"<p>What the bot would have created in Shadow projects since {shadow.Since:yyyy-MM-dd HH:mm:ss} UTC, when this process started. ")
            .Append("Kept in memory only (issue keys, rule ids and sub-task summaries, never issue text); a restart clears it. Reload the page to update it.</p>");
        if (!workerInProcess)
        {
            b.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" role=\"note\">{E(ShadowView.NoWorkerNote)}</p>");
        }

        var shown = 0;
        foreach (var project in projects)
        {
            var report = shadow.Get(project.Key);
            if (report is null && project.Mode != nameof(ProjectMode.Shadow))
            {
                continue;
            }

            shown++;
            report ??= shadow.Empty(project.Key);
            var k = E(project.Key);
            b.Append(CultureInfo.InvariantCulture, $"<article class=\"shadow\" data-key=\"{k}\"><h3>{k} ({E(project.Mode)}): {report.IssuesEvaluated} issues evaluated, {report.IssuesWithRules} with rules, {report.SubtasksWouldCreate} sub-tasks would be created</h3>");
            if (report.IssuesEvaluated == 0)
            {
                b.Append("<p>No issue created since this process started.</p></article>");
                continue;
            }

            b.Append(CultureInfo.InvariantCulture, $"<table class=\"shadow-rules\"><caption>Rules fired in {k}</caption><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Fired</th><th scope=\"col\">Sub-tasks it would create</th></tr></thead><tbody>");
            foreach (var rule in report.Rules)
            {
                b.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\"><code>{E(rule.RuleId)}</code></th><td>{rule.Fired}</td><td>{rule.WouldCreate}</td></tr>");
            }

            b.Append(CultureInfo.InvariantCulture, $"</tbody></table><table class=\"shadow-recent\"><caption>Most recent decisions in {k}, newest first (up to {report.Capacity})</caption>")
                .Append("<thead><tr><th scope=\"col\">Time (UTC)</th><th scope=\"col\">Issue</th><th scope=\"col\">Rules fired</th><th scope=\"col\">Sub-tasks it would create</th></tr></thead><tbody>");
            foreach (var decision in report.Recent)
            {
                var create = decision.WouldCreate.Count == 0
                    ? E(decision.RulesFired.Count == 0 ? "nothing: no rule fired" : $"nothing: {decision.AlreadyPresent} already present")
                    : "<ul>" + string.Concat(decision.WouldCreate.Select(s => $"<li>{E(s.Summary)}</li>")) + "</ul>";
                b.Append(CultureInfo.InvariantCulture, $"<tr data-issue=\"{E(decision.IssueKey)}\"><td>{decision.At:yyyy-MM-dd HH:mm:ss}</td><th scope=\"row\">{E(decision.IssueKey)}</th>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{E(decision.RulesFired.Count == 0 ? "none" : string.Join(", ", decision.RulesFired))}</td><td>{create}</td></tr>");
            }

            b.Append("</tbody></table></article>");
        }

        if (shown == 0)
        {
            b.Append("<p>No project is in Shadow mode. Set one to Shadow above to see what the bot would create before switching it On.</p>");
        }

        return b.Append("</section>").ToString();
    }

    private static string Options(string[] values, string selected) =>
        string.Concat(values.Select(v => $"<option value=\"{v}\"{(v == selected ? " selected" : "")}>{v}</option>"));

    private static string Document(string title, string? csrfToken, string body) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + $"<title>{E(title)} · MedTech Compliance Tracker</title>"
        + (csrfToken is null ? "" : $"<meta name=\"csrf-token\" content=\"{E(csrfToken)}\">")
        + "<link rel=\"icon\" href=\"/admin/assets/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/admin/assets/admin.css\">"
        + (csrfToken is null ? "" : "<script src=\"/admin/assets/admin.js\" defer></script>")
        + $"</head><body>{body}</body></html>";

    private static string E(string value) => Html.Encode(value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin sign-in from {Client} refused: unknown key")]
    private static partial void LogLoginRefused(ILogger logger, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Admin} signed in to the admin page")]
    private static partial void LogLoggedIn(ILogger logger, string admin);
}
