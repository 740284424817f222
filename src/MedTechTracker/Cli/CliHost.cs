using System.CommandLine;
using MedTechTracker.Queue;
using MedTechTracker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Cli;

/// <summary>
/// The small host CLI commands run in: the same configuration as the service (appsettings.json, then environment
/// variables such as <c>Data__Directory</c>), the store and the queue, no web server and no background services.
/// </summary>
public static class CliHost
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    /// <summary>Builds the host; <paramref name="overrides"/> win over appsettings and the environment (tests use it).</summary>
    public static IHost Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        // Command output is for people; only problems are logged, and to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.AddStorage();
        builder.AddQueue();
        var host = builder.Build();
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command's work inside a fresh host, turning configuration and data-file problems into a message and exit 1.</summary>
    public static async Task<int> RunAsync(
        ParseResult parseResult,
        Func<IHost> hostFactory,
        Func<IServiceProvider, TextWriter, TextWriter, CancellationToken, Task<int>> work,
        CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            using var host = hostFactory();
            return await work(host.Services, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"Invalid configuration: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot use the data directory: {ex.Message}").ConfigureAwait(false);
            return Failure;
        }
    }

    /// <summary>Invokes a parsed command line; bad usage (unknown command, missing or invalid argument) exits 2, not 1.</summary>
    public static async Task<int> InvokeAsync(ParseResult parseResult, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        return parseResult.Errors.Count > 0 && exitCode == Failure ? BadUsage : exitCode;
    }
}
