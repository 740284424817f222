using MedTechTracker.IntegrationTests.Backfill;
using MedTechTracker.IntegrationTests.Pipeline;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.JiraCloud;

public sealed class ProjectsListWithJiraTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mtc-plist-" + Guid.NewGuid().ToString("N"));
    private readonly SimulatedJira _jira = SimulatedJira.Start();

    public void Dispose()
    {
        _jira.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Projects_list_with_jira_says_which_screens_lack_labels_or_summary_and_which_projects_the_bot_cannot_see()
    {
        Directory.CreateDirectory(_root);
        _jira.AddProject("LAB", "No labels").CreateScreen.Remove("labels");
        _jira.AddProject("SUM", "No summary").CreateScreen.Remove("summary");
        _jira.AddProject("HID", "Hidden").HiddenFromBot = true;
        _jira.AddProject("OKP", "Complete");
        var environment = new Dictionary<string, string>
        {
            ["Data__Directory"] = Path.Combine(_root, "data"),
            ["Jira__BaseUrl"] = _jira.Url,
            ["Jira__Email"] = "bot@example.com",
            ["Jira__ApiToken"] = "test-token",
            ["Rules__Path"] = PipelineRules.WriteTo(_root),
            ["COLUMNS"] = "250",
        };
        foreach (var key in new[] { "LAB", "SUM", "HID", "OKP" })
        {
            using var enable = new TrackerProcess(environment, "projects", "enable", key);
            Assert.True(await enable.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, enable.Output);
        }

        using var list = new TrackerProcess(environment, "projects", "list", "--jira");

        Assert.True(await list.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, list.Output);
        var lines = list.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("LAB", StringComparison.Ordinal) && l.Contains("lacks Labels", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("SUM", StringComparison.Ordinal) && l.Contains("refused", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("HID", StringComparison.Ordinal) && l.Contains("not visible to the bot", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("OKP", StringComparison.Ordinal) && l.Contains(" ok ", StringComparison.Ordinal));
    }
}
