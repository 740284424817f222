using Microsoft.Playwright;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>Debian's headless Chromium driven by Playwright (scripts/test-deps.d/40-chromium.sh installs it), and where screenshots go.</summary>
internal static class Chromium
{
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        var chromium = Environment.GetEnvironmentVariable("MTC_CHROMIUM_PATH") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"{chromium} is missing: run scripts/test-deps.d/40-chromium.sh (or set MTC_CHROMIUM_PATH).");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A page that records console errors (a CSP violation shows up there).</summary>
    public static async Task<(IPage Page, List<string> ConsoleErrors)> NewPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        return (page, consoleErrors);
    }

    public static string ArtifactDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MedTechTracker.sln")))
        {
            directory = directory.Parent;
        }

        var path = Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults", "admin-page");
        Directory.CreateDirectory(path);
        return path;
    }
}
