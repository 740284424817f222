using System.Diagnostics;

namespace MedTechTracker.Tests.Cli;

/// <summary>Runs the built executable as a real process and captures its exit code and output.</summary>
internal static class CliProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, string? stdin = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };

        // Only what the test gives: no settings from the machine running the tests.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Jira__", StringComparison.Ordinal) || k.StartsWith("Webhook__", StringComparison.Ordinal) || k.StartsWith("Admin__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "medtech-tracker.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
