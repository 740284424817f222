using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

/// <summary>
/// The built service (<c>medtech-tracker.dll</c>, next to this tool) run as child processes like in production:
/// one-shot CLI commands, and the <c>serve</c> process with its resident memory sampled from /proc.
/// </summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private readonly string _app = Path.Combine(AppContext.BaseDirectory, "medtech-tracker.dll");
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mtc-e2e-");
    private readonly Dictionary<string, string> _env;
    private readonly CancellationTokenSource _sampling = new();
    private Process? _serve;
    private Task? _sampler;
    private long _peakRssKb;

    public ServeHost(SimulatedJira jira, IReadOnlyDictionary<string, string> settings)
    {
        Secret = "e2e-" + Guid.NewGuid().ToString("N");
        _env = new Dictionary<string, string>
        {
            ["Data__Directory"] = Path.Combine(_work.FullName, "data"),
            ["Jira__BaseUrl"] = jira.Url,
            ["Jira__Email"] = "bot@example.com",
            ["Jira__ApiToken"] = "token",
            ["Webhook__Secret"] = Secret,
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings)
        {
            _env[key] = value;
        }
    }

    public string Secret { get; }

    public HttpClient Http { get; private set; } = null!;

    public int Pid => _serve?.Id ?? 0;

    /// <summary>The highest VmRSS seen while <c>serve</c> ran (sampled every 250 ms), in KiB.</summary>
    public long PeakRssKb => Interlocked.Read(ref _peakRssKb);

    /// <summary>The kernel's high-water mark of <c>serve</c>'s resident memory, in KiB.</summary>
    public long HighWaterKb => ReadStatusKb(Pid, "VmHWM");

    /// <summary>Runs a CLI command to its end and returns its standard output; throws when it fails.</summary>
    public async Task<string> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)} exited with {process.ExitCode}");
        }

        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>Starts <c>serve</c> on a free loopback port and waits for <c>/readyz</c>.</summary>
    public async Task StartServeAsync()
    {
        var port = FreePort();
        _serve = Start("serve", "--urls", $"http://127.0.0.1:{port}");
        _serve.OutputDataReceived += (_, _) => { };
        _serve.BeginOutputReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitReadyAsync(Http);
        var pid = _serve.Id;
        _sampler = Task.Run(async () =>
        {
            while (!_sampling.IsCancellationRequested)
            {
                var rss = ReadStatusKb(pid, "VmRSS");
                if (rss > Interlocked.Read(ref _peakRssKb))
                {
                    Interlocked.Exchange(ref _peakRssKb, rss);
                }

                try
                {
                    await Task.Delay(250, _sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    /// <summary>Delivers one signed <c>jira:issue_created</c> for the issue; the HTTP status, or -1 when the connection failed.</summary>
    public async Task<int> SendCreatedAsync(SimulatedIssue issue)
    {
        var body = Encoding.UTF8.GetBytes(Webhooks.Created(issue));
        try
        {
            using var response = await WebhookSender.SendAsync(Http, new Uri("/webhooks/jira", UriKind.Relative), body, Secret, "e2e-" + issue.Key, CancellationToken.None);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return -1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        if (_sampler is not null)
        {
            await _sampler;
        }

        if (_serve is not null)
        {
            _serve.Kill();
            await _serve.WaitForExitAsync();
            _serve.Dispose();
        }

        Http?.Dispose();
        _sampling.Dispose();
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(_app);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in _env)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("serve: " + e.Data);
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>CPU time <c>serve</c> has used so far (user + system, from /proc/&lt;pid&gt;/stat at 100 ticks per second).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{Pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

                // After the command name: state is field 3, utime field 14, stime field 15 (man 5 proc).
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                return TimeSpan.FromSeconds(ticks / 100.0);
            }
            catch (IOException)
            {
                return TimeSpan.Zero;
            }
        }
    }

    private static long ReadStatusKb(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("serve did not become ready");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
