using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MedTechTracker.Admin;
using MedTechTracker.Storage;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>projects shadow KEY [--url URL] [--json]</c>: prints the Shadow report of a running service. The report lives in the
/// memory of the process that runs the worker, so this command asks that process's admin API
/// (<c>GET /admin/api/projects/{KEY}/shadow</c>) with the admin key from <c>MTC_ADMIN_KEY</c>; it reads no file.
/// Exit 0 ok, 1 no or wrong admin key, 2 invalid input (project key, URL, not a Shadow project), 3 service unreachable.
/// </summary>
public static class ProjectsShadowCommand
{
    public const string KeyVariable = "MTC_ADMIN_KEY";
    public const string UrlVariable = "MTC_ADMIN_URL";
    public const string DefaultUrl = "http://localhost:5000";
    public const int Unreachable = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "The Jira project key, e.g. MED." };
        var url = new Option<string?>("--url") { Description = $"The running service (default: ${UrlVariable} or {DefaultUrl}). The admin key comes from ${KeyVariable}." };
        var json = new Option<bool>("--json") { Description = "Print the admin API's JSON as it is." };
        var command = new Command("shadow", "What the bot would have created in a Shadow project, from the running service's memory.") { key, url, json };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(key)!,
            parseResult.GetValue(url) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? DefaultUrl,
            Environment.GetEnvironmentVariable(KeyVariable),
            parseResult.GetValue(json),
            handler: null,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        string project, string url, string? adminKey, bool asJson, HttpMessageHandler? handler, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!ProjectKey.IsValid(project))
        {
            await error.WriteLineAsync($"'{project}' is not a Jira project key ({ProjectKey.Rule}).").ConfigureAwait(false);
            return CliHost.BadUsage;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"--url {url}: must be the http(s) address of the running service, such as {DefaultUrl}.").ConfigureAwait(false);
            return CliHost.BadUsage;
        }

        if (string.IsNullOrEmpty(adminKey))
        {
            await error.WriteLineAsync($"Set {KeyVariable} to an admin key of the service (the key itself; the service holds its SHA-256 in Admin__Keys__<name>). "
                + "The Shadow report lives in the memory of the running service, so this command asks its admin API.").ConfigureAwait(false);
            return CliHost.Failure;
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromSeconds(30);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, $"/admin/api/projects/{project}/shadow"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await error.WriteLineAsync($"Cannot reach the service at {baseAddress}: {(ex is TaskCanceledException ? "no answer within 30 seconds" : ex.Message)}. "
                + $"The Shadow report lives in the memory of the running service (serve); start it, or pass its address with --url or {UrlVariable}.").ConfigureAwait(false);
            return Unreachable;
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                if (asJson)
                {
                    await output.WriteLineAsync(body).ConfigureAwait(false);
                    return CliHost.Ok;
                }

                var view = JsonSerializer.Deserialize<ShadowView>(body, Json);
                if (view is null)
                {
                    await error.WriteLineAsync($"{baseAddress} answered 200 without a Shadow report: is it a MedTech Compliance Tracker?").ConfigureAwait(false);
                    return Unreachable;
                }

                Print(view, output);
                return CliHost.Ok;
            }

            var detail = ProblemDetail(body) ?? response.ReasonPhrase;
            await error.WriteLineAsync($"{baseAddress} answered {(int)response.StatusCode}: {detail}").ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => CliHost.Failure,
                HttpStatusCode.BadRequest or HttpStatusCode.NotFound => CliHost.BadUsage,
                _ => Unreachable,
            };
        }
    }

    private static void Print(ShadowView view, TextWriter output)
    {
        output.WriteLine($"{view.Project} ({view.Mode}, safety class {view.SafetyClass}): since {Time(view.Since)} UTC, {view.IssuesEvaluated} issues evaluated, "
            + $"{view.IssuesWithRules} with rules, {view.SubtasksWouldCreate} sub-tasks would be created.");
        if (view.Note is not null)
        {
            output.WriteLine(view.Note);
        }

        if (view.IssuesEvaluated == 0)
        {
            output.WriteLine("No issue created since the service started.");
            return;
        }

        var rules = CliTable.Create("Rule", "Fired", "Sub-tasks it would create");
        foreach (var rule in view.Rules)
        {
            rules.AddRow([rule.RuleId, rule.Fired.ToString(CultureInfo.InvariantCulture), rule.WouldCreate.ToString(CultureInfo.InvariantCulture)]);
        }

        CliTable.Write(output, rules);
        output.WriteLine($"Most recent decisions, newest first (up to {view.Capacity}):");
        var recent = CliTable.Create("Time (UTC)", "Issue", "Rules fired", "Sub-tasks it would create");
        foreach (var decision in view.Recent)
        {
            recent.AddRow([
                Time(decision.At),
                decision.IssueKey,
                decision.RulesFired.Count == 0 ? "none" : string.Join(", ", decision.RulesFired),
                decision.WouldCreate.Count == 0
                    ? decision.RulesFired.Count == 0 ? "nothing" : $"nothing ({decision.AlreadyPresent} already present)"
                    : string.Join("; ", decision.WouldCreate.Select(s => s.Summary)),
            ]);
        }

        CliTable.Write(output, recent);
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string? ProblemDetail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (string[])["detail", "title"])
            {
                if (problem.RootElement.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String)
                {
                    return text.GetString();
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
