using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MedTechTracker.Cli;
using MedTechTracker.IntegrationTests.Backfill;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>The Shadow report of a real service (<c>serve</c>) after signed webhooks: the admin API and <c>projects shadow</c>.</summary>
public sealed class ShadowReportApiTests : IAsyncLifetime
{
    private readonly BackfillHarness _harness = new();
    private AdminHost _host = null!;

    public async Task InitializeAsync()
    {
        _harness.Jira.Generate("MED", 9);
        _host = await AdminHost.StartAsync(_harness);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _harness.Dispose();
    }

    [Fact]
    public async Task After_signed_webhooks_for_a_Shadow_project_the_api_shows_each_decision_with_its_rules_and_subtasks_and_Jira_gets_no_write()
    {
        using var client = _host.Client(AdminHost.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "Shadow", safetyClass = "C" })).StatusCode);

        await ShadowTraffic.SendAsync(_host, _host.Jira.Issues);
        await ShadowTraffic.WaitForDecisionsAsync(_host, "MED", 9);
        var response = await client.GetAsync("/admin/api/projects/MED/shadow");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal("Shadow", root.GetProperty("mode").GetString());
        Assert.True(root.GetProperty("workerInProcess").GetBoolean());
        Assert.Equal(9, root.GetProperty("issuesEvaluated").GetInt32());

        var decisions = root.GetProperty("recent").EnumerateArray().ToDictionary(d => d.GetProperty("issueKey").GetString()!);
        Assert.Equal(_host.Jira.Issues.Select(i => i.Key).Order(), decisions.Keys.Order());
        var expectedCounts = new Dictionary<string, int>();
        foreach (var issue in _host.Jira.Issues)
        {
            var plan = ShadowTraffic.PlanFor(_host, issue);
            var decision = decisions[issue.Key];
            Assert.Equal(plan.RuleIds, decision.GetProperty("rulesFired").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(plan.ToCreate.Select(s => s.Summary), decision.GetProperty("wouldCreate").EnumerateArray().Select(s => s.GetProperty("summary").GetString()));
            foreach (var rule in plan.RuleIds)
            {
                expectedCounts[rule] = expectedCounts.GetValueOrDefault(rule) + 1;
            }
        }

        Assert.NotEmpty(expectedCounts);
        Assert.Equal(
            expectedCounts.OrderBy(c => c.Key, StringComparer.Ordinal),
            root.GetProperty("rules").EnumerateArray().Select(r => KeyValuePair.Create(r.GetProperty("ruleId").GetString()!, r.GetProperty("fired").GetInt32())).OrderBy(c => c.Key, StringComparer.Ordinal));

        // Keys, rule ids and rendered sub-task summaries only: no issue summary or description.
        foreach (var issue in _host.Jira.Issues)
        {
            Assert.DoesNotContain(issue.Summary, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(issue.Description, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.False(_host.Jira.CallsByOperation.ContainsKey("bulk"));
    }

    [Fact]
    public async Task The_shadow_api_answers_401_without_a_key_400_for_a_malformed_key_and_404_for_a_project_not_in_Shadow()
    {
        using var anonymous = _host.Client();
        using var admin = _host.Client(AdminHost.AdminKey);

        var unauthorized = await anonymous.GetAsync("/admin/api/projects/MED/shadow");
        var malformed = await admin.GetAsync("/admin/api/projects/med/shadow");
        var off = await admin.GetAsync("/admin/api/projects/OTHER/shadow");

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
        Assert.Equal("application/problem+json", off.Content.Headers.ContentType?.MediaType);
        Assert.Contains("OTHER is Off, not Shadow", await off.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Shadow_project_with_no_decisions_yet_answers_an_empty_report()
    {
        using var admin = _host.Client(AdminHost.AdminKey);
        await admin.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "Shadow", safetyClass = "B" });

        var report = await admin.GetFromJsonAsync<JsonElement>("/admin/api/projects/MED/shadow");

        Assert.Equal(0, report.GetProperty("issuesEvaluated").GetInt32());
        Assert.Equal("B", report.GetProperty("safetyClass").GetString());
        Assert.Empty(report.GetProperty("recent").EnumerateArray());
    }

    [Fact]
    public async Task Projects_shadow_prints_the_running_services_report()
    {
        using var admin = _host.Client(AdminHost.AdminKey);
        await admin.PutAsJsonAsync("/admin/api/projects/MED", new { mode = "Shadow", safetyClass = "C" });
        var issues = _host.Jira.Issues.Take(3).ToList();
        await ShadowTraffic.SendAsync(_host, issues);
        await ShadowTraffic.WaitForDecisionsAsync(_host, "MED", 3);

        using var process = new TrackerProcess(Environment(AdminHost.AdminKey), "projects", "shadow", "MED", "--url", _host.BaseAddress.ToString());
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, process.Output);
        Assert.Contains("MED (Shadow, safety class C)", process.Output, StringComparison.Ordinal);
        Assert.Contains("3 issues evaluated", process.Output, StringComparison.Ordinal);
        foreach (var issue in issues)
        {
            Assert.Contains(issue.Key, process.Output, StringComparison.Ordinal);
            foreach (var subtask in ShadowTraffic.PlanFor(_host, issue).ToCreate)
            {
                // The table wraps long cells at word boundaries: compare with whitespace runs collapsed.
                Assert.Contains(Collapse(subtask.Summary), Collapse(process.Output), StringComparison.Ordinal);
            }

            Assert.DoesNotContain(issue.Summary, process.Output, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("no-key", 1, "Set MTC_ADMIN_KEY")]
    [InlineData("wrong-key", 1, "answered 401")]
    [InlineData("off-project", 2, "OTHER is Off, not Shadow")]
    [InlineData("bad-project-key", 2, "is not a Jira project key")]
    [InlineData("no-service", 3, "Cannot reach the service")]
    public async Task Projects_shadow_follows_the_cli_exit_codes(string problem, int expectedExit, string expectedMessage)
    {
        var url = problem == "no-service" ? $"http://127.0.0.1:{FreePort.Next()}/" : _host.BaseAddress.ToString();
        var key = problem switch
        {
            "no-key" => "",
            "wrong-key" => "not the admin key",
            _ => AdminHost.AdminKey,
        };
        var project = problem switch
        {
            "off-project" => "OTHER",
            "bad-project-key" => "med",
            _ => "MED",
        };

        using var process = new TrackerProcess(Environment(key), "projects", "shadow", project, "--url", url);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == expectedExit, $"exit {exit}: {process.Output}");
        Assert.Contains(expectedMessage, process.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(string adminKey) => new() { [ProjectsShadowCommand.KeyVariable] = adminKey };

    private static string Collapse(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
}
