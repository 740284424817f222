using System.CommandLine;
using MedTechTracker.Hosting;
using Microsoft.Extensions.Options;

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
                await using var app = ServiceHost.Build([.. parseResult.UnmatchedTokens], role);

                // Every invalid setting is reported at once, before start-up (where the host would log a stack trace).
                app.Services.GetService<IStartupValidator>()?.Validate();
                await app.RunAsync(cancellationToken).ConfigureAwait(false);
                return CliHost.Ok;
            }
            catch (Exception ex) when (CliHost.ExitCodeOf(ex) is { } code)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(CliHost.Describe(ex)).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }
}
