using MedTechTracker.IntegrationTests.Backfill;

namespace MedTechTracker.IntegrationTests.JiraCloud;

public sealed class ProjectsListWithJiraTests : IDisposable
{
    private readonly SimulatorWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Projects_list_with_jira_says_which_screens_lack_labels_or_summary_and_which_projects_the_bot_cannot_see()
    {
        _world.Jira.AddProject("LAB", "No labels").CreateScreen.Remove("labels");
        _world.Jira.AddProject("SUM", "No summary").CreateScreen.Remove("summary");
        _world.Jira.AddProject("HID", "Hidden").HiddenFromBot = true;
        _world.Jira.AddProject("OKP", "Complete");
        var environment = _world.Environment();
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
