using System.Globalization;

namespace MedTechTracker.LoadGen;

/// <summary>What one phase measured. Latencies are in milliseconds; in open-loop phases they count from the scheduled send time.</summary>
internal sealed record PhaseResult(string Name, double Seconds, double[] LatenciesMs, IReadOnlyDictionary<string, long> Statuses)
{
    public long Requests => LatenciesMs.Length;

    public double Throughput => Requests / Seconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1;
        return LatenciesMs[Math.Clamp(rank, 0, LatenciesMs.Length - 1)];
    }

    public long Count(string status) => Statuses.GetValueOrDefault(status);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Name,-28} | {Requests,8} | {Throughput,9:F0}/s | {Percentile(50),7:F2} | {Percentile(95),7:F2} | {Percentile(99),7:F2} | {(LatenciesMs.Length > 0 ? LatenciesMs[^1] : double.NaN),8:F2} | {string.Join(" ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"))} |");

    public const string Header = """
        | phase                        | requests | throughput  | p50 ms  | p95 ms  | p99 ms  | max ms   | status counts |
        |------------------------------|----------|-------------|---------|---------|---------|----------|---------------|
        """;
}
