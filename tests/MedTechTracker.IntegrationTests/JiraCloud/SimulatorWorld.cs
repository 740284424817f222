using MedTechTracker.IntegrationTests.Pipeline;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.JiraCloud;

/// <summary>A simulated Jira, a temp directory and the environment a tracker child process needs to use them.</summary>
internal sealed class SimulatorWorld : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mtc-sim-" + Guid.NewGuid().ToString("N"));

    public SimulatorWorld() => Directory.CreateDirectory(_root);

    public SimulatedJira Jira { get; } = SimulatedJira.Start();

    public Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["Data__Directory"] = Path.Combine(_root, "data"),
            ["Jira__BaseUrl"] = Jira.Url,
            ["Jira__Email"] = "bot@example.com",
            ["Jira__ApiToken"] = "test-token",
            ["Rules__Path"] = PipelineRules.WriteTo(_root),
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    public void Dispose()
    {
        Jira.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
