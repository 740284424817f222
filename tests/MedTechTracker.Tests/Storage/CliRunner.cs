using Microsoft.Extensions.Hosting;
using System.CommandLine;
using MedTechTracker.Cli;

namespace MedTechTracker.Tests.Storage;

/// <summary>Runs CLI commands in-process against one temp data directory, capturing output and the exit code.</summary>
public sealed class CliRunner : IDisposable
{
    private readonly TempDataDirectory _directory = new();
    private readonly IReadOnlyDictionary<string, string?> _configuration;

    public CliRunner(IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var all = new Dictionary<string, string?> { ["Data:Directory"] = DataDirectory };
        foreach (var (key, value) in configuration ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        _configuration = all;
    }

    public string DataDirectory => _directory.Path;

    /// <summary>Answers purge's question as a person at a terminal would; null means stdin is not a terminal.</summary>
    public Func<string, bool?> Confirm { get; set; } = _ => null;

    public IHost BuildHost() => CliHost.Build(_configuration);

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand
        {
            ProjectsCommands.Create(BuildHost),
            DeadLetterCommands.Create(BuildHost, question => Confirm(question)),
            BackfillCommands.Create(() => CliHost.Build(_configuration, CliCapabilities.Backfill)),
            RulesCommands.Create(),
            ExplainCommand.Create(),
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliHost.InvokeAsync(root.Parse(args), new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    public void Dispose() => _directory.Dispose();
}
