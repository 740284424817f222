using System.Diagnostics;
using System.Text.RegularExpressions;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Cli;

/// <summary>The README's offline examples, exactly as written, run from the repository root (with the built executable).</summary>
public sealed partial class ReadmeExamplesTests
{
    public static TheoryData<string> OfflineExamples()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadAllLines(RepoFile("README.md")))
        {
            if (OfflineCommand().IsMatch(line))
            {
                data.Add(line.Trim());
            }
        }

        return data;
    }

    [Fact]
    public void The_readme_has_offline_examples() => Assert.True(OfflineExamples().Count >= 3);

    [Theory]
    [MemberData(nameof(OfflineExamples))]
    public async Task A_readme_example_works_from_the_repository_root(string command)
    {
        // The same command, with the build CI already made instead of a new one.
        var script = command.Replace("dotnet run --project src/MedTechTracker --", "dotnet run --project src/MedTechTracker -c Release --no-build --", StringComparison.Ordinal);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoFile() };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("set -o pipefail; " + script);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"`{command}` exited {process.ExitCode}: {await stderr}");
        Assert.Contains("MED-", await stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*(cat \S+ \| )?dotnet run --project src/MedTechTracker -- explain ")]
    private static partial Regex OfflineCommand();
}
