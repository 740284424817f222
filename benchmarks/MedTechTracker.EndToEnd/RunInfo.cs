using System.Diagnostics;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

/// <summary>What a figure needs next to it: the commit measured, how busy the machine was, what the simulated Jira answered.</summary>
internal static class RunInfo
{
    /// <summary>The 1, 5 and 15-minute load averages from /proc/loadavg, e.g. "0.52 0.61 0.70".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary><c>git rev-parse --short HEAD</c> of the working directory, "+dirty" when tracked files changed; "unknown" without git.</summary>
    public static string Commit()
    {
        var head = Git("rev-parse", "--short", "HEAD");
        if (head is null or "")
        {
            return "unknown";
        }

        return Git("status", "--porcelain", "--untracked-files=no") is { Length: > 0 } ? head + "+dirty" : head;
    }

    /// <summary>Zero calls of every kind: <c>CallsSince(jira, NoCalls)</c> is the whole run.</summary>
    public static readonly IReadOnlyDictionary<JiraOperation, int> NoCalls = Enum.GetValues<JiraOperation>().ToDictionary(op => op, _ => 0);

    /// <summary>Calls of every kind so far.</summary>
    public static Dictionary<JiraOperation, int> Calls(SimulatedJira jira) =>
        Enum.GetValues<JiraOperation>().ToDictionary(op => op, jira.Calls);

    /// <summary>The non-zero calls by kind since <paramref name="before"/>, e.g. "GetIssue 1000, BulkCreate 1000".</summary>
    public static string CallsSince(SimulatedJira jira, IReadOnlyDictionary<JiraOperation, int> before)
    {
        var since = Enum.GetValues<JiraOperation>().Select(op => (op, n: jira.Calls(op) - before[op])).Where(c => c.n != 0).ToList();
        return since.Count == 0 ? "none" : $"{string.Join(", ", since.Select(c => $"{c.op} {c.n}"))} (total {since.Sum(c => c.n)})";
    }

    private static string? Git(params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
