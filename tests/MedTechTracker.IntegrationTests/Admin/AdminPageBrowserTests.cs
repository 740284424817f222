using MedTechTracker.IntegrationTests.Backfill;
using MedTechTracker.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>The admin page driven in Debian's headless Chromium (scripts/test-deps.d/40-chromium.sh installs it).</summary>
public sealed class AdminPageBrowserTests : IAsyncLifetime
{
    private readonly BackfillHarness _harness = new();
    private AdminHost _host = null!;

    public async Task InitializeAsync()
    {
        _harness.Jira.Generate("MED", 400);
        _host = await AdminHost.StartAsync(_harness);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _harness.Dispose();
    }

    [Fact]
    public async Task An_admin_logs_in_switches_a_project_to_Shadow_and_watches_a_dry_run_backfill_reach_100_percent()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync();
        var (page, consoleErrors) = await Chromium.NewPageAsync(context);

        // Log in from the keyboard: the key field has focus, Enter submits.
        await page.GotoAsync(new Uri(_host.BaseAddress, "/admin").ToString());
        await Expect(page.GetByLabel("Admin key")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(AdminHost.AdminKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByText("Signed in as")).ToBeVisibleAsync();

        // Chromium keeps the Secure session cookie on http://127.0.0.1 (a potentially trustworthy origin).
        var session = (await context.CookiesAsync()).Single(c => c.Name == "mtc-admin");
        Assert.True(session.Secure && session.HttpOnly && session.SameSite == SameSiteAttribute.Strict);
        Assert.Equal(-1, session.Expires);

        await page.GetByLabel("Mode of MED").SelectOptionAsync("Shadow");
        await Expect(page.GetByLabel("Re-plan MED issues when edited")).ToBeCheckedAsync();
        await page.GetByLabel("Re-plan MED issues when edited").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save MED" }).ClickAsync();
        await Expect(page.Locator("#projects-status")).ToContainTextAsync("MED saved: Shadow, safety class C, on update no");
        var saved = await _host.Services.GetRequiredService<ISettingsStore>().GetAsync("MED", CancellationToken.None);
        Assert.Equal(ProjectMode.Shadow, saved!.Mode);
        Assert.False(saved.OnUpdate);
        Assert.Equal(AdminHost.AdminName, saved.UpdatedBy);

        await page.GetByLabel("Project", new() { Exact = true }).SelectOptionAsync("MED");
        await Expect(page.GetByLabel("Dry run (count only, write nothing)")).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start backfill" }).ClickAsync();
        await Expect(page.Locator("#backfill-status")).ToContainTextAsync("Started bf-");

        var job = page.Locator("article.job").First;
        await Expect(job).ToHaveAttributeAsync("data-percent", "100", new() { Timeout = 120_000 });
        await Expect(job).ToHaveAttributeAsync("data-status", "Completed");
        await Expect(job.Locator("progress")).ToHaveAttributeAsync("value", "100");
        await Expect(job).ToContainTextAsync("Scanned 400 of ~400");

        var screenshot = Path.Combine(Chromium.ArtifactDirectory(), "admin-page-dry-run-backfill.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);

        Assert.False(_host.Jira.CallsByOperation.ContainsKey("bulk"));
        Assert.Empty(consoleErrors);
    }
}
