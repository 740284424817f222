using System.Globalization;
using System.Net;
using MedTechTracker.LoadGen;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

if (string.IsNullOrEmpty(options.Secret))
{
    Console.Error.WriteLine("No secret: pass --secret or set Webhook__Secret.");
    return 2;
}

ThreadPool.SetMinThreads(Math.Max(options.Connections, 16), Math.Max(options.Connections, 16));
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Connections,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseProxy = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
var runner = new LoadRunner(client, new WebhookFactory(options.Secret, options.ProjectKey), options.Connections);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"medtech-loadgen: {options.Connections} connections, {options.DurationSeconds:F0} s per phase, warm-up {options.WarmupSeconds:F0} s, {Environment.ProcessorCount} cores"));
var results = new List<PhaseResult>();
if (options.SuiteNoOpUrl is { } noOp)
{
    if (options.WarmupSeconds > 0)
    {
        await runner.FlatOutAsync("warm-up noop", noOp, options.WarmupSeconds / 2);
        await runner.FlatOutAsync("warm-up webhook", options.Url, options.WarmupSeconds / 2);
    }

    results.Add(await runner.FlatOutAsync("noop, flat out (ceiling)", noOp, options.DurationSeconds));
    results.Add(await runner.FlatOutAsync("webhook, flat out", options.Url, options.DurationSeconds));
    results.Add(await runner.FixedRateAsync(string.Create(CultureInfo.InvariantCulture, $"webhook, {options.Rate:F0}/s"), options.Url, options.Rate, options.DurationSeconds));
}
else
{
    if (options.WarmupSeconds > 0)
    {
        await runner.FlatOutAsync("warm-up", options.Url, options.WarmupSeconds);
    }

    results.Add(options.Rate > 0
        ? await runner.FixedRateAsync(string.Create(CultureInfo.InvariantCulture, $"{options.Url.AbsolutePath}, {options.Rate:F0}/s"), options.Url, options.Rate, options.DurationSeconds)
        : await runner.FlatOutAsync($"{options.Url.AbsolutePath}, flat out", options.Url, options.DurationSeconds));
}

Console.WriteLine(PhaseResult.Header);
foreach (var result in results)
{
    Console.WriteLine(result);
}

if (options.SuiteNoOpUrl is not null)
{
    var (ceiling, flatOut, paced) = (results[0], results[1], results[2]);
    var ratio = flatOut.Throughput / ceiling.Throughput;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio webhook/noop = {ratio:F2} (target >= 0.5): {(ratio >= 0.5 ? "met" : "NOT met")}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"webhook throughput = {flatOut.Throughput:F0}/s (target >= 2000/s): {(flatOut.Throughput >= 2000 ? "met" : "NOT met")}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p99 at {options.Rate:F0}/s = {paced.Percentile(99):F2} ms (target <= 20 ms): {(paced.Percentile(99) <= 20 ? "met" : "NOT met")}"));
    var non202 = results.Sum(r => r.Statuses.Where(s => s.Key != "202").Sum(s => s.Value));
    Console.WriteLine($"responses other than 202: {non202}");
}

return 0;
