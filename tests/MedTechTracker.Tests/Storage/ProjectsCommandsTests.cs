using Microsoft.Extensions.DependencyInjection;
using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Storage;

public sealed class ProjectsCommandsTests : IDisposable
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task List_with_nothing_configured_says_every_project_is_off()
    {
        var (exitCode, output, _) = await _cli.RunAsync("projects", "list");

        Assert.Equal(0, exitCode);
        Assert.Contains("every project is Off", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enable_with_shadow_and_a_safety_class_saves_them_and_prints_the_change()
    {
        var (exitCode, output, _) = await _cli.RunAsync("projects", "enable", "MED", "--shadow", "--safety-class", "B");

        Assert.Equal(0, exitCode);
        Assert.Equal("MED: mode Off (never configured) -> Shadow, safety class C -> B.", output.Trim());
        var saved = await SettingsAsync("MED");
        Assert.Equal(ProjectMode.Shadow, saved!.Mode);
        Assert.Equal(SafetyClass.B, saved.SafetyClass);
        Assert.StartsWith("cli:", saved.UpdatedBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enable_without_shadow_turns_the_project_on_and_keeps_its_safety_class()
    {
        await _cli.RunAsync("projects", "enable", "MED", "--shadow", "--safety-class", "A");

        var (exitCode, output, _) = await _cli.RunAsync("projects", "enable", "MED");

        Assert.Equal(0, exitCode);
        Assert.Equal("MED: mode Shadow -> On, safety class A (unchanged).", output.Trim());
        Assert.Equal(ProjectMode.On, (await SettingsAsync("MED"))!.Mode);
        Assert.Equal(SafetyClass.A, (await SettingsAsync("MED"))!.SafetyClass);
    }

    [Fact]
    public async Task Disable_turns_the_project_off_and_says_so()
    {
        await _cli.RunAsync("projects", "enable", "MED");

        var (exitCode, output, _) = await _cli.RunAsync("projects", "disable", "MED");

        Assert.Equal(0, exitCode);
        Assert.Equal("MED: mode On -> Off, safety class C (unchanged).", output.Trim());
        Assert.Equal(ProjectMode.Off, (await SettingsAsync("MED"))!.Mode);
    }

    [Fact]
    public async Task Repeating_a_change_says_nothing_changed()
    {
        await _cli.RunAsync("projects", "enable", "MED");

        var again = await _cli.RunAsync("projects", "enable", "MED");
        var neverConfigured = await _cli.RunAsync("projects", "disable", "OTHER");

        Assert.Equal((0, "MED: already On, safety class C; nothing changed."), (again.ExitCode, again.Output.Trim()));
        Assert.Equal((0, "OTHER: never configured, so already Off; nothing changed."), (neverConfigured.ExitCode, neverConfigured.Output.Trim()));
        Assert.Null(await SettingsAsync("OTHER"));
    }

    [Fact]
    public async Task List_prints_a_table_of_the_configured_projects()
    {
        await _cli.RunAsync("projects", "enable", "MED", "--safety-class", "A");
        await _cli.RunAsync("projects", "enable", "IEC_62304", "--shadow");

        var (exitCode, output, _) = await _cli.RunAsync("projects", "list");

        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("Project", StringComparison.Ordinal) && l.Contains("Safety class", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("IEC_62304", StringComparison.Ordinal) && l.Contains("Shadow", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("MED ", StringComparison.Ordinal) && l.Contains(" On ", StringComparison.Ordinal) && l.Contains(" A ", StringComparison.Ordinal));
        Assert.Contains("2 configured projects", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edits_re_plan_by_default_and_no_on_update_turns_that_off_keeping_mode_and_class()
    {
        await _cli.RunAsync("projects", "enable", "MED", "--safety-class", "B");
        Assert.True((await SettingsAsync("MED"))!.OnUpdate);

        var (exitCode, output, _) = await _cli.RunAsync("projects", "enable", "MED", "--no-on-update");

        Assert.Equal(0, exitCode);
        Assert.Equal("MED: mode On (unchanged), safety class B (unchanged), on update yes -> no.", output.Trim());
        var saved = await SettingsAsync("MED");
        Assert.Equal((ProjectMode.On, SafetyClass.B, false), (saved!.Mode, saved.SafetyClass, saved.OnUpdate));
    }

    [Fact]
    public async Task A_later_enable_without_either_option_keeps_the_on_update_choice()
    {
        await _cli.RunAsync("projects", "enable", "MED", "--no-on-update");

        await _cli.RunAsync("projects", "enable", "MED", "--shadow");
        Assert.False((await SettingsAsync("MED"))!.OnUpdate);
        var (_, output, _) = await _cli.RunAsync("projects", "enable", "MED", "--shadow", "--on-update");

        Assert.Equal("MED: mode Shadow (unchanged), safety class C (unchanged), on update no -> yes.", output.Trim());
        Assert.True((await SettingsAsync("MED"))!.OnUpdate);
    }

    [Fact]
    public async Task List_shows_the_on_update_choice_of_each_project()
    {
        await _cli.RunAsync("projects", "enable", "MED");
        await _cli.RunAsync("projects", "enable", "PUMP", "--no-on-update");

        var (_, output, _) = await _cli.RunAsync("projects", "list");

        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("Project", StringComparison.Ordinal) && l.Contains("On update", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("MED ", StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("PUMP ", StringComparison.Ordinal) && l.Contains(" no ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("med")]
    [InlineData("1MED")]
    [InlineData("M")]
    [InlineData("MED-1")]
    [InlineData("MED;DROP")]
    [InlineData("NEWP\n")]
    public async Task Invalid_project_key_is_bad_usage_and_changes_nothing(string key)
    {
        var (exitCode, output, error) = await _cli.RunAsync("projects", "enable", key);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("is not a Jira project key", error, StringComparison.Ordinal);
        var list = await _cli.RunAsync("projects", "list");
        Assert.Contains("every project is Off", list.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("projects", "enable")]
    [InlineData("projects", "enable", "MED", "--safety-class", "D")]
    [InlineData("projects", "enable", "MED", "--bogus")]
    [InlineData("projects", "enable", "MED", "--on-update", "--no-on-update")]
    [InlineData("projects", "frobnicate")]
    public async Task Malformed_command_lines_exit_2(params string[] args)
    {
        var (exitCode, _, error) = await _cli.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.NotEqual("", error);
    }

    [Fact]
    public async Task Invalid_configuration_exits_1_naming_the_key()
    {
        using var cli = new CliRunner(new Dictionary<string, string?> { ["Store:Provider"] = "Oracle" });

        var (exitCode, _, error) = await cli.RunAsync("projects", "list");

        Assert.Equal(1, exitCode);
        Assert.Contains("Store:Provider", error, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private async Task<ProjectSettings?> SettingsAsync(string key)
    {
        using var host = _cli.BuildHost();
        return await host.Services.GetRequiredService<ISettingsStore>().GetAsync(key, CancellationToken.None);
    }
}
