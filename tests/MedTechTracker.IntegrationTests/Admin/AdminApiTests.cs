using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MedTechTracker.IntegrationTests.Backfill;
using MedTechTracker.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.Admin;

public sealed partial class AdminApiTests : IAsyncLifetime
{
    private readonly BackfillHarness _harness = new();
    private AdminHost _host = null!;

    public async Task InitializeAsync()
    {
        _harness.Jira.Generate("MED", 30);
        _host = await AdminHost.StartAsync(_harness);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _harness.Dispose();
    }

    [Fact]
    public async Task The_admin_api_answers_401_without_a_key()
    {
        using var client = _host.Client();

        var response = await client.GetAsync("/admin/api/projects");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("Admin__Keys__", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not the admin key")]
    [InlineData("")]
    public async Task The_admin_api_answers_401_with_a_wrong_key(string key)
    {
        using var client = _host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/api/backfills") { Content = JsonContent.Create(new { project = "MED", dryRun = true }) };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await _host.Services.GetRequiredService<IBackfillStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Projects_are_Jiras_projects_merged_with_their_settings()
    {
        using var client = _host.Client(AdminHost.AdminKey);

        var put = await client.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "Shadow", safetyClass = "B" });
        var projects = await client.GetFromJsonAsync<JsonElement>("/admin/api/projects");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var med = projects.EnumerateArray().Single(p => p.GetProperty("key").GetString() == "MED");
        Assert.Equal("Shadow", med.GetProperty("mode").GetString());
        Assert.Equal("B", med.GetProperty("safetyClass").GetString());
        Assert.Equal(AdminHost.AdminName, med.GetProperty("updatedBy").GetString());
        var other = projects.EnumerateArray().Single(p => p.GetProperty("key").GetString() == "OTHER");
        Assert.Equal("Off", other.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task The_on_update_choice_is_on_by_default_set_by_the_api_and_kept_when_a_later_update_omits_it()
    {
        using var client = _host.Client(AdminHost.AdminKey);

        var first = await client.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "On", safetyClass = "C" });
        Assert.True((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("onUpdate").GetBoolean());
        var off = await client.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "On", safetyClass = "C", onUpdate = false });
        var kept = await client.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "Shadow", safetyClass = "B" });
        var projects = await client.GetFromJsonAsync<JsonElement>("/admin/api/projects");

        Assert.False((await off.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("onUpdate").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.False(projects.EnumerateArray().Single(p => p.GetProperty("key").GetString() == "MED").GetProperty("onUpdate").GetBoolean());
        Assert.True(projects.EnumerateArray().Single(p => p.GetProperty("key").GetString() == "OTHER").GetProperty("onUpdate").GetBoolean());
        Assert.False((await _host.Services.GetRequiredService<ISettingsStore>().GetAsync("MED", CancellationToken.None))!.OnUpdate);
    }

    [Theory]
    [InlineData("MED", "Sometimes", "B", HttpStatusCode.BadRequest)]
    [InlineData("MED", "On", "D", HttpStatusCode.BadRequest)]
    [InlineData("MED", "1", "B", HttpStatusCode.BadRequest)]
    [InlineData("NOPE", "On", "B", HttpStatusCode.NotFound)]
    [InlineData("med", "On", "B", HttpStatusCode.BadRequest)]
    [InlineData("OTHER%0A", "On", "B", HttpStatusCode.BadRequest)]
    public async Task A_project_update_is_validated_and_the_project_must_exist_in_Jira(string key, string mode, string safetyClass, HttpStatusCode expected)
    {
        using var client = _host.Client(AdminHost.AdminKey);

        var response = await client.PutAsJsonAsync($"/admin/api/projects/{key}", new { mode, safetyClass });

        Assert.Equal(expected, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Null(await _host.Services.GetRequiredService<ISettingsStore>().GetAsync(Uri.UnescapeDataString(key).Trim(), CancellationToken.None));
    }

    [Fact]
    public async Task The_rules_overview_names_its_source()
    {
        using var client = _host.Client(AdminHost.AdminKey);

        var rules = await client.GetFromJsonAsync<JsonElement>("/admin/api/rules");

        Assert.EndsWith("rules.json", rules.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal(rules.GetProperty("count").GetInt32(), rules.GetProperty("rules").GetArrayLength());
        Assert.Contains(rules.GetProperty("rules").EnumerateArray(), r => r.GetProperty("id").GetString() == "unit-verification");
    }

    [Fact]
    public async Task Explain_reads_the_issue_and_returns_its_plan_without_writing_anything()
    {
        using var client = _host.Client(AdminHost.AdminKey);

        var response = await client.PostAsJsonAsync("/admin/api/explain", new { issueKey = "MED-7" });
        var missing = await client.PostAsJsonAsync("/admin/api/explain", new { issueKey = "MED-999" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("MED-7", plan.GetProperty("issue").GetString());
        Assert.Contains(plan.GetProperty("subtasks").EnumerateArray(), s => s.GetProperty("ruleId").GetString() == "unit-verification");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(_host.Jira.CallsByOperation.ContainsKey("bulk"));
        Assert.Equal(2, _host.Jira.CallsByOperation["issue"]);
    }

    [Fact]
    public async Task Backfills_are_started_listed_read_cancelled_and_resumed()
    {
        using var client = _host.Client(AdminHost.AdminKey);

        var real = await client.PostAsJsonAsync("/admin/api/backfills", new { project = "MED", dryRun = false });
        var escape = await client.PostAsJsonAsync("/admin/api/backfills", new { project = "MED", jql = "x = 1) OR (project = OTHER", dryRun = true });
        var started = await client.PostAsJsonAsync("/admin/api/backfills", new { project = "MED", dryRun = true });

        Assert.Equal(HttpStatusCode.Conflict, real.StatusCode);
        Assert.Contains("Switch it On", await real.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, escape.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/admin/api/backfills/{id}", started.Headers.Location?.OriginalString);

        var done = await PollJobAsync(client, id, j => j.GetProperty("status").GetString() == "Completed");
        Assert.Equal(30, done.GetProperty("counters").GetProperty("scanned").GetInt64());
        Assert.Equal(100, done.GetProperty("percent").GetDouble());
        var list = await client.GetFromJsonAsync<JsonElement>("/admin/api/backfills");
        Assert.Contains(list.EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        var cancelDone = await client.PostAsync($"/admin/api/backfills/{id}/cancel", null);
        var resumeDone = await client.PostAsync($"/admin/api/backfills/{id}/resume", null);
        var unknown = await client.GetAsync("/admin/api/backfills/bf-nope");
        Assert.Equal(HttpStatusCode.Conflict, cancelDone.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, resumeDone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_session_cookie_alone_cannot_change_anything_without_the_antiforgery_token()
    {
        using var client = _host.Client();

        // The login form itself is protected too.
        var forged = await client.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = AdminHost.AdminKey }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var session = await LoginAsync(client);
        using var withoutToken = new HttpRequestMessage(HttpMethod.Post, "/admin/api/backfills") { Content = JsonContent.Create(new { project = "MED", dryRun = true }) };
        withoutToken.Headers.Add("Cookie", session.Cookies);
        var refused = await client.SendAsync(withoutToken);

        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/admin/api/backfills") { Content = JsonContent.Create(new { project = "MED", dryRun = true }) };
        withToken.Headers.Add("Cookie", session.Cookies);
        withToken.Headers.Add("X-CSRF-TOKEN", session.Token);
        var accepted = await client.SendAsync(withToken);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("anti-forgery", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AdminHost.AdminName, job.GetProperty("requestedBy").GetString());
    }

    [Fact]
    public async Task The_session_cookie_is_Secure_HttpOnly_SameSite_Strict_and_pages_carry_a_strict_CSP()
    {
        using var client = _host.Client();

        var login = await client.GetAsync("/admin");
        var session = await LoginAsync(client);

        var csp = string.Join(";", login.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("secure", session.SessionSetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session.SessionSetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session.SessionSetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires", session.SessionSetCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script>", session.Page, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", session.Page, StringComparison.Ordinal);

        var script = await client.GetAsync("/admin/assets/admin.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
    }

    internal static async Task<(string Cookies, string Token, string SessionSetCookie, string Page)> LoginAsync(HttpClient client)
    {
        var form = await client.GetAsync("/admin");
        var html = await form.Content.ReadAsStringAsync();
        var token = FormToken().Match(html).Groups[1].Value;
        var antiforgeryCookie = CookiePair(form.Headers.GetValues("Set-Cookie"), "mtc-antiforgery");
        using var login = new HttpRequestMessage(HttpMethod.Post, "/admin/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = AdminHost.AdminKey, ["__RequestVerificationToken"] = token }),
        };
        login.Headers.Add("Cookie", antiforgeryCookie);
        var loggedIn = await client.SendAsync(login);
        Assert.Equal(HttpStatusCode.Redirect, loggedIn.StatusCode);
        var setCookie = loggedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mtc-admin=", StringComparison.Ordinal));
        var cookies = $"{antiforgeryCookie}; {setCookie.Split(';')[0]}";

        using var dashboard = new HttpRequestMessage(HttpMethod.Get, "/admin");
        dashboard.Headers.Add("Cookie", cookies);
        var page = await (await client.SendAsync(dashboard)).Content.ReadAsStringAsync();
        var metaToken = MetaToken().Match(page);
        Assert.True(metaToken.Success, "the dashboard carries no anti-forgery token");
        return (cookies, System.Net.WebUtility.HtmlDecode(metaToken.Groups[1].Value), setCookie, page);
    }

    internal static async Task<JsonElement> PollJobAsync(HttpClient client, string id, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>($"/admin/api/backfills/{id}");
            if (until(job))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Backfill {id} is still {job.GetProperty("status").GetString()}");
            await Task.Delay(100);
        }
    }

    private static string CookiePair(IEnumerable<string> setCookies, string name) =>
        setCookies.Single(c => c.StartsWith(name + "=", StringComparison.Ordinal)).Split(';')[0];

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex MetaToken();
}
