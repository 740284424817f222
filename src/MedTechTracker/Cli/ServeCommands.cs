using System.CommandLine;
using MedTechTracker.Hosting;

namespace MedTechTracker.Cli;

public static class ServeCommands
{
    public static Command Create(string name, string description, ServiceRole role)
    {
        // Host options (--urls, --Jira:BaseUrl=…) pass through to ASP.NET Core's configuration.
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var app = ServiceHost.Build([.. parseResult.UnmatchedTokens], role);
                await app.RunAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
                return 1;
            }
            catch (Rules.Loading.RuleSetValidationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
