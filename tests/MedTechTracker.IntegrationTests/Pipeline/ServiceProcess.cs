using System.Collections.Concurrent;
using System.Diagnostics;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>The built executable (<c>medtech-tracker.dll</c>) in a role, as a child process configured by environment variables.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process) => _process = process;

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public static ServiceProcess Start(string role, IReadOnlyDictionary<string, string> settings, string urls = "http://127.0.0.1:0")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "medtech-tracker.dll"));
        start.ArgumentList.Add(role);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(urls);
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no shutdown hooks, no draining, leases stay held until they expire.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit(30_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null && _output.Count < 20_000)
        {
            _output.Enqueue(line);
        }
    }
}
