using Microsoft.Extensions.Logging;
using MedTechTracker.Hosting;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>One test's world: a temp data directory with real SQLite files, the test rules, a simulated Jira, a webhook secret.</summary>
internal sealed class PipelineEnvironment : IAsyncDisposable
{
    public PipelineEnvironment()
    {
        Directory.CreateDirectory(DataDirectory);
        RulesPath = PipelineRules.WriteTo(Root);
        Jira = SimulatedJira.Start();
        Jira.AddProject("MED", "Infusion pump");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "mtc-pipeline-" + Guid.NewGuid().ToString("N"));

    public string DataDirectory => Path.Combine(Root, "data");

    public string RulesPath { get; }

    public string Secret { get; } = "whsec-" + Guid.NewGuid().ToString("N");

    public SimulatedJira Jira { get; }

    public CapturedTelemetry Telemetry { get; } = new();

    /// <summary>Configuration shared by the in-process hosts and the child processes (short back-offs keep retries quick).</summary>
    public IReadOnlyDictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Data:Directory"] = DataDirectory,
            ["Jira:BaseUrl"] = Jira.Url,
            ["Jira:Email"] = "compliance-bot@example.com",
            ["Jira:ApiToken"] = "test-api-token",
            ["Jira:RetryBaseDelay"] = "00:00:00.050",
            ["Jira:RetryMaxDelay"] = "00:00:00.500",
            ["Webhook:Secret"] = Secret,
            ["Rules:Path"] = RulesPath,
            ["Queue:BackoffBase"] = "00:00:00.200",
            ["Queue:BackoffCap"] = "00:00:01",
            ["Worker:ReceiveWait"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:MedTechTracker"] = "Trace",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    public async Task<PipelineHost> StartHostAsync(ServiceRole role = ServiceRole.Serve, params (string Key, string Value)[] extra)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", .. Settings(extra).Select(s => $"--{s.Key}={s.Value}")];
        var app = ServiceHost.Build(args, role, builder => builder.Logging.AddProvider(Telemetry));
        await app.StartAsync();
        return new PipelineHost(app, this);
    }

    /// <summary>Fails unless the data directory holds files (the queue's and the store's) and none of them contains the text, in UTF-8 or UTF-16.</summary>
    public void AssertNoFileContains(string canary)
    {
        var needles = new[] { System.Text.Encoding.UTF8.GetBytes(canary), System.Text.Encoding.Unicode.GetBytes(canary) };
        var files = Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("queue", StringComparison.Ordinal));
        foreach (var file in files)
        {
            if (Path.GetExtension(file) == ".lock")
            {
                // A queue holder's lock file: held exclusively by the running host, so it cannot be read; it is empty.
                Assert.Equal(0, new FileInfo(file).Length);
                continue;
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            foreach (var needle in needles)
            {
                Assert.True(buffer.ToArray().AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} contains the canary");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Telemetry.Dispose();
        Jira.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
