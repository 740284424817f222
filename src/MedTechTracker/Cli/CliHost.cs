using System.CommandLine;
using MedTechTracker.Backfill;
using MedTechTracker.Diagnostics;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Loading;
using MedTechTracker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Cli;

/// <summary>
/// The one composition path and error contract of every command. Hosts get the service's configuration
/// (appsettings.json, then environment variables such as <c>Data__Directory</c>), only the capabilities the
/// command needs, no web server and no background services. Exit codes, for every command:
/// 0 success; 1 invalid configuration or rules file; 2 invalid input (options, arguments, payloads, unknown ids,
/// a request the current state refuses); 3 a dependency (store, queue, Jira) could not be used.
/// </summary>
public static class CliHost
{
    public const int Ok = 0;
    public const int InvalidConfiguration = 1;
    public const int InvalidInput = 2;
    public const int Unavailable = 3;

    /// <summary>Older name of <see cref="InvalidConfiguration"/>.</summary>
    public const int Failure = InvalidConfiguration;

    /// <summary>Older name of <see cref="InvalidInput"/>.</summary>
    public const int BadUsage = InvalidInput;

    /// <summary>Builds the host; <paramref name="overrides"/> win over appsettings and the environment (tests use it).</summary>
    public static IHost Build(IReadOnlyDictionary<string, string?>? overrides = null, CliCapabilities capabilities = CliCapabilities.Store | CliCapabilities.Queue)
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

        if (capabilities.HasFlag(CliCapabilities.Rules))
        {
            builder.AddRules();
        }

        if (capabilities.HasFlag(CliCapabilities.Store))
        {
            builder.AddStorage();
        }

        if (capabilities.HasFlag(CliCapabilities.Queue))
        {
            builder.AddQueue();
        }

        if (capabilities.HasFlag(CliCapabilities.Jira))
        {
            builder.AddJira();
        }

        if (capabilities.HasFlag(CliCapabilities.Backfill))
        {
            builder.AddBackfillServices();
        }

        var host = builder.Build();
        try
        {
            // Every invalid setting at once, before anything starts (and without the host logging a stack trace).
            host.Services.GetService<IStartupValidator>()?.Validate();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command's work inside a fresh host; failures become one line on stderr and the contract's exit code.</summary>
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
        catch (Exception ex) when (ExitCodeOf(ex) is { } code)
        {
            await error.WriteLineAsync(Describe(ex)).ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>The exit code of a failure the contract knows, or null for a bug (which keeps its stack trace).</summary>
    public static int? ExitCodeOf(Exception exception) => exception switch
    {
        OptionsValidationException or RuleSetValidationException => InvalidConfiguration,
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) => InvalidConfiguration,
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => ExitCodeOf(e) == Unavailable) => Unavailable,
        JiraException or HttpRequestException or TimeoutException or SqliteException or IOException or UnauthorizedAccessException
            or Queue.Amqp.AmqpQueueUnavailableException or Azure.RequestFailedException or Azure.Identity.AuthenticationFailedException
            or Azure.Identity.CredentialUnavailableException => Unavailable,
        _ => null,
    };

    /// <summary>One line: every invalid setting at once, or what could not be reached. Never a stack trace.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        OptionsValidationException options => "Invalid configuration: " + string.Join(" ", options.Failures),
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            "Invalid configuration: " + string.Join(" ", aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures).Distinct()),
        AggregateException aggregate => Describe(aggregate.InnerExceptions[^1]),
        RuleSetValidationException rules => rules.Message,
        SqliteException or IOException or UnauthorizedAccessException => $"Cannot use the data directory: {SafeText.Clean(exception.Message)}",
        _ => $"Cannot reach a dependency: {SafeText.Clean(exception.Message)}",
    };

    /// <summary>Invokes a parsed command line; bad usage (unknown command, missing or invalid argument) exits 2 for every command.</summary>
    public static async Task<int> InvokeAsync(ParseResult parseResult, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        if (parseResult.Errors.Count > 0 && !parseResult.Tokens.Any(t => t.Value is "--help" or "-h" or "-?"))
        {
            var error = configuration?.Error ?? Console.Error;
            foreach (var problem in parseResult.Errors)
            {
                await error.WriteLineAsync(problem.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run the command with --help for its usage.").ConfigureAwait(false);
            return InvalidInput;
        }

        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
