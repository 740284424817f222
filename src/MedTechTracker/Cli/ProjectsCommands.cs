using System.CommandLine;
using System.Globalization;
using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>projects list | enable KEY [--shadow] [--safety-class A|B|C] [--on-update|--no-on-update] | disable KEY</c> on the data directory the service uses;
/// <c>projects shadow KEY</c> asks the running service (see <see cref="ProjectsShadowCommand"/>).
/// Exit codes follow <see cref="CliHost"/> (an invalid project key is invalid input, 2).
/// </summary>
public static class ProjectsCommands
{
    public static Command Create(Func<IHost>? hostFactory = null)
    {
        var factory = hostFactory ?? (() => CliHost.Build());

        var withJira = new Option<bool>("--jira") { Description = "Also ask Jira whether each project can take sub-tasks (its sub-task create screen)." };
        var list = new Command("list", "Show every configured project; projects not listed are Off.") { withJira };
        list.SetAction((parseResult, ct) =>
        {
            var jira = parseResult.GetValue(withJira);
            var listFactory = hostFactory ?? (jira ? () => CliHost.Build(capabilities: CliCapabilities.Store | CliCapabilities.Queue | CliCapabilities.Jira) : factory);
            return CliHost.RunAsync(parseResult, listFactory, (services, output, _, token) => ListAsync(services, output, jira, token), ct);
        });

        var enableKey = KeyArgument();
        var shadow = new Option<bool>("--shadow") { Description = "Shadow mode: evaluate and log the plan, create nothing in Jira." };
        var safetyClass = new Option<SafetyClass?>("--safety-class") { Description = "The project's IEC 62304 safety class (default: unchanged, C for a new project)." };
        var onUpdate = new Option<bool>("--on-update") { Description = "Re-plan an issue when an edit changes its summary, description or type (the default)." };
        var noOnUpdate = new Option<bool>("--no-on-update") { Description = "Only issue creation (and backfill) plans; edits are ignored." };
        var enable = new Command("enable", "Let a project take part: mode On, or Shadow with --shadow.") { enableKey, shadow, safetyClass, onUpdate, noOnUpdate };
        enable.Validators.Add(result =>
        {
            if (result.GetValue(onUpdate) && result.GetValue(noOnUpdate))
            {
                result.AddError("--on-update and --no-on-update cannot be given together.");
            }
        });
        enable.SetAction((parseResult, ct) =>
        {
            var key = parseResult.GetValue(enableKey)!;
            var mode = parseResult.GetValue(shadow) ? ProjectMode.Shadow : ProjectMode.On;
            var newClass = parseResult.GetValue(safetyClass);
            bool? newOnUpdate = parseResult.GetValue(onUpdate) ? true : parseResult.GetValue(noOnUpdate) ? false : null;
            return ChangeAsync(parseResult, factory, key, _ => mode, current => newClass ?? current, current => newOnUpdate ?? current, ct);
        });

        var disableKey = KeyArgument();
        var disable = new Command("disable", "Stop a project taking part: mode Off (its safety class is kept).") { disableKey };
        disable.SetAction((parseResult, ct) => ChangeAsync(parseResult, factory, parseResult.GetValue(disableKey)!, _ => ProjectMode.Off, current => current, current => current, ct));

        return new Command("projects", "Choose which Jira projects take part (Off / Shadow / On) and their safety class.") { list, enable, disable, ProjectsShadowCommand.Create() };
    }

    private static Argument<string> KeyArgument() => new("KEY") { Description = "The Jira project key, e.g. MED." };

    private static async Task<int> ListAsync(IServiceProvider services, TextWriter output, bool withJira, CancellationToken cancellationToken)
    {
        var all = await services.GetRequiredService<ISettingsStore>().ListAsync(cancellationToken).ConfigureAwait(false);
        if (all.Count == 0)
        {
            await output.WriteLineAsync("No project is configured, so every project is Off. Enable one with: projects enable KEY [--shadow]").ConfigureAwait(false);
            return CliHost.Ok;
        }

        var table = withJira
            ? CliTable.Create("Project", "Mode", "Safety class", "On update", "Updated (UTC)", "Updated by", "Sub-task screen")
            : CliTable.Create("Project", "Mode", "Safety class", "On update", "Updated (UTC)", "Updated by");
        var jira = withJira ? services.GetRequiredService<Jira.IJiraClient>() : null;
        foreach (var settings in all)
        {
            string[] row = [
                settings.ProjectKey,
                settings.Mode.ToString(),
                settings.SafetyClass.ToString(),
                settings.OnUpdate ? "yes" : "no",
                settings.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                settings.UpdatedBy ?? "",
            ];
            if (jira is not null)
            {
                row = [.. row, await ScreenAsync(jira, settings.ProjectKey, cancellationToken).ConfigureAwait(false)];
            }

            table.AddRow(row);
        }

        CliTable.Write(output, table);
        await output.WriteLineAsync($"{all.Count} configured project{(all.Count == 1 ? "" : "s")}; any other project is Off.").ConfigureAwait(false);
        return CliHost.Ok;
    }

    private static async Task<string> ScreenAsync(Jira.IJiraClient jira, string projectKey, CancellationToken cancellationToken)
    {
        if (!await jira.IsProjectVisibleAsync(projectKey, cancellationToken).ConfigureAwait(false))
        {
            return "not visible to the bot";
        }

        var screen = await jira.GetSubtaskScreenAsync(projectKey, cancellationToken).ConfigureAwait(false);
        return screen.Refusal is { } refusal ? "refused: " + refusal
            : screen.Lacking.Count > 0 ? $"lacks {string.Join(" and ", screen.Lacking)} (created without)"
            : "ok";
    }

    private static async Task<int> ChangeAsync(
        ParseResult parseResult,
        Func<IHost> factory,
        string key,
        Func<ProjectMode, ProjectMode> mode,
        Func<SafetyClass, SafetyClass> safetyClass,
        Func<bool, bool> onUpdate,
        CancellationToken cancellationToken)
    {
        if (!ProjectKey.IsValid(key))
        {
            var hint = ProjectKey.IsValid(key.ToUpperInvariant()) ? $" Did you mean {key.ToUpperInvariant()}?" : "";
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"'{Diagnostics.SafeText.Clean(key)}' is not a Jira project key ({ProjectKey.Rule}).{hint}").ConfigureAwait(false);
            return CliHost.InvalidInput;
        }

        return await CliHost.RunAsync(parseResult, factory, async (services, output, _, token) =>
        {
            var store = services.GetRequiredService<ISettingsStore>();
            var existing = await store.GetAsync(key, token).ConfigureAwait(false);
            var before = existing ?? ProjectSettings.Unconfigured(key);
            var after = before with
            {
                Mode = mode(before.Mode),
                SafetyClass = safetyClass(before.SafetyClass),
                OnUpdate = onUpdate(before.OnUpdate),
            };

            if (after.Mode == before.Mode && after.SafetyClass == before.SafetyClass && after.OnUpdate == before.OnUpdate)
            {
                await output.WriteLineAsync(existing is null
                    ? $"{key}: never configured, so already Off; nothing changed."
                    : $"{key}: already {before.Mode}, safety class {before.SafetyClass}{(before.OnUpdate ? "" : ", on update no")}; nothing changed.").ConfigureAwait(false);
                return CliHost.Ok;
            }

            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            await store.SaveAsync(after with { UpdatedAt = now, UpdatedBy = $"cli:{Environment.UserName}" }, token).ConfigureAwait(false);

            var modeChange = after.Mode == before.Mode
                ? $"mode {after.Mode} (unchanged)"
                : $"mode {before.Mode}{(existing is null ? " (never configured)" : "")} -> {after.Mode}";
            var classChange = after.SafetyClass == before.SafetyClass
                ? $"safety class {after.SafetyClass} (unchanged)"
                : $"safety class {before.SafetyClass} -> {after.SafetyClass}";
            var updateChange = after.OnUpdate == before.OnUpdate
                ? ""
                : $", on update {(before.OnUpdate ? "yes" : "no")} -> {(after.OnUpdate ? "yes" : "no")}";
            await output.WriteLineAsync($"{key}: {modeChange}, {classChange}{updateChange}.").ConfigureAwait(false);
            return CliHost.Ok;
        }, cancellationToken).ConfigureAwait(false);
    }
}
