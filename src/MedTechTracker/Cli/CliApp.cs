using System.CommandLine;

namespace MedTechTracker.Cli;

/// <summary>The command line: every role and admin tool of the one executable.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("MedTech Compliance Tracker: creates compliance sub-tasks for new Jira issues.")
        {
            ServeCommands.Create("serve", "Run ingress, worker and admin in one process (the default).", Hosting.ServiceRole.Serve),
            ServeCommands.Create("ingress", "Run only the webhook ingress (and admin).", Hosting.ServiceRole.Ingress),
            ServeCommands.Create("worker", "Run only the queue worker and backfill runner.", Hosting.ServiceRole.Worker),
            ExplainCommand.Create(),
            RulesCommands.Create(),
            ProjectsCommands.Create(),
            DeadLetterCommands.Create(),
            BackfillCommands.Create(),
        };

        // No command (or only host options such as --urls) means `serve`.
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not "--help" and not "--version")
        {
            args = ["serve", .. args];
        }

        return await CliHost.InvokeAsync(root.Parse(args)).ConfigureAwait(false);
    }
}
