using MedTechTracker.IntegrationTests.Backfill;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>The admin page's Shadow report in headless Chromium, after real signed webhooks went through ingress, queue and worker.</summary>
public sealed class ShadowReportBrowserTests : IAsyncLifetime
{
    private readonly BackfillHarness _harness = new();
    private AdminHost _host = null!;

    public async Task InitializeAsync()
    {
        _harness.Jira.Generate("MED", 7);
        _host = await AdminHost.StartAsync(_harness);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _harness.Dispose();
    }

    [Fact]
    public async Task An_admin_switches_a_project_to_Shadow_and_sees_what_the_bot_would_have_created_for_new_issues()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync();
        var (page, consoleErrors) = await Chromium.NewPageAsync(context);

        await page.GotoAsync(new Uri(_host.BaseAddress, "/admin").ToString());
        await page.GetByLabel("Admin key").FillAsync(AdminHost.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByText("No project is in Shadow mode.")).ToBeVisibleAsync();

        await page.GetByLabel("Mode of MED").SelectOptionAsync("Shadow");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save MED" }).ClickAsync();
        await Expect(page.Locator("#projects-status")).ToContainTextAsync("MED saved: Shadow");

        await ShadowTraffic.SendAsync(_host, _host.Jira.Issues);
        await ShadowTraffic.WaitForDecisionsAsync(_host, "MED", _host.Jira.Issues.Count);
        await page.ReloadAsync();

        var report = page.Locator("article.shadow[data-key=MED]");
        await Expect(report.Locator("h3")).ToContainTextAsync($"MED (Shadow): {_host.Jira.Issues.Count} issues evaluated");
        var recent = report.Locator("table.shadow-recent");
        await Expect(recent.Locator("tbody tr")).ToHaveCountAsync(_host.Jira.Issues.Count);
        var wouldCreate = 0;
        foreach (var issue in _host.Jira.Issues)
        {
            var plan = ShadowTraffic.PlanFor(_host, issue);
            var row = recent.Locator($"tr[data-issue='{issue.Key}']");
            await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(plan.Matches.Count == 0 ? "none" : string.Join(", ", plan.RuleIds));
            foreach (var subtask in plan.ToCreate)
            {
                await Expect(row.GetByText(subtask.Summary, new() { Exact = true })).ToBeVisibleAsync();
            }

            wouldCreate += plan.ToCreate.Count;
            await Expect(report).Not.ToContainTextAsync(issue.Summary, new() { IgnoreCase = true });
        }

        Assert.True(wouldCreate > 0, "the sample issues should fire at least one rule");
        await Expect(report.Locator("h3")).ToContainTextAsync($"{wouldCreate} sub-tasks would be created");
        await Expect(report.Locator("table.shadow-rules tbody tr").First).ToBeVisibleAsync();

        var screenshot = Path.Combine(Chromium.ArtifactDirectory(), "admin-page-shadow-report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.False(_host.Jira.CallsByOperation.ContainsKey("bulk"));
        Assert.Empty(consoleErrors);
    }
}
