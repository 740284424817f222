using System.Globalization;

namespace MedTechTracker.EndToEnd;

/// <summary>The command line (see the comment at the top of Program.cs); unknown options are refused so a typo cannot go unnoticed.</summary>
internal sealed record BenchOptions
{
    private static readonly string[] Known =
    [
        "--rate", "--seconds", "--warmup", "--burst", "--search", "--rates", "--connections",
        "--jira-latency-ms", "--jira-max-calls-per-second", "--drain-timeout",
    ];

    private static readonly int[] DefaultRates = [100, 200, 400, 700, 1000, 1400, 2000];

    public int Rate { get; init; } = 50;
    public int Seconds { get; init; } = 30;
    public int Warmup { get; init; } = 5;

    /// <summary>Issues of the burst (null: not the burst mode).</summary>
    public int? Burst { get; init; }

    public bool Search { get; init; }
    public IReadOnlyList<int> Rates { get; init; } = DefaultRates;

    /// <summary>Webhook deliveries in flight at once in the burst.</summary>
    public int Connections { get; init; } = 64;

    public int JiraLatencyMs { get; init; }
    public int JiraMaxCallsPerSecond { get; init; }

    /// <summary>How long to wait for the service to catch up after the last webhook (open loop: per run or step).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Configuration of the <c>serve</c> child, from <c>--set:Section__Key=value</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public string Mode => Burst is not null ? "burst" : Search ? "search" : "open loop";

    public static BenchOptions Parse(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--set:", StringComparison.Ordinal) && args[i].Contains('=', StringComparison.Ordinal))
            {
                var pair = args[i]["--set:".Length..].Split('=', 2);
                settings[pair[0]] = pair[1];
            }
            else if (!Known.Contains(args[i]) || (args[i] != "--search" && i + 1 >= args.Length))
            {
                throw new ArgumentException($"unknown option or missing value: {args[i]}");
            }
            else if (args[i] != "--search")
            {
                i++;
            }
        }

        var search = args.Contains("--search");
        var burst = Int(args, "--burst", 0);
        var options = new BenchOptions
        {
            Rate = Int(args, "--rate", 50),
            // A search step lasts 10 s unless told; a single open-loop run keeps its 30 s.
            Seconds = Int(args, "--seconds", search ? 10 : 30),
            Warmup = Int(args, "--warmup", 5),
            Burst = burst > 0 ? burst : null,
            Search = search,
            Rates = Value(args, "--rates") is { } rates
                ? [.. rates.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => int.Parse(r, CultureInfo.InvariantCulture))]
                : DefaultRates,
            Connections = Int(args, "--connections", 64),
            JiraLatencyMs = Int(args, "--jira-latency-ms", 0),
            JiraMaxCallsPerSecond = Int(args, "--jira-max-calls-per-second", 0),
            DrainTimeout = TimeSpan.FromSeconds(Int(args, "--drain-timeout", burst > 0 ? 600 : 60)),
            Settings = settings,
        };
        if (options.Burst is not null && options.Search)
        {
            throw new ArgumentException("--burst and --search are separate runs");
        }

        return options;
    }

    private static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
