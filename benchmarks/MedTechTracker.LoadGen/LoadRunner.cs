using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MedTechTracker.LoadGen;

/// <summary>Drives one phase: closed-loop flat out over every connection, or open loop at a fixed rate.</summary>
internal sealed class LoadRunner(HttpClient client, WebhookFactory webhooks, int connections)
{
    public async Task<PhaseResult> FlatOutAsync(string name, Uri url, double seconds)
    {
        var statuses = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double[]>();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>(4096);
            while (clock.Elapsed < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await SendAsync(url).ConfigureAwait(false);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            }

            latencies.Add([.. mine]);
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        return new PhaseResult(name, elapsed, Sorted(latencies), statuses);
    }

    public async Task<PhaseResult> FixedRateAsync(string name, Uri url, double rate, double seconds)
    {
        var statuses = new ConcurrentDictionary<string, long>();
        var total = (long)(rate * seconds);
        var latencies = new double[total];
        var inFlight = new List<Task>((int)Math.Min(total, 1_000_000));
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (sent < total)
        {
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
            for (; sent < due; sent++)
            {
                var index = sent;
                var scheduled = index / rate;
                inFlight.Add(Task.Run(async () =>
                {
                    var status = await SendAsync(url).ConfigureAwait(false);

                    // From the scheduled time, not the actual send: a stalled server cannot hide its queueing delay.
                    latencies[index] = (clock.Elapsed.TotalSeconds - scheduled) * 1000;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                }));
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        Array.Sort(latencies);
        return new PhaseResult(name, seconds, latencies, statuses);
    }

    private async Task<string> SendAsync(Uri url)
    {
        try
        {
            using var request = webhooks.Create(url);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return "error:" + ex.GetType().Name;
        }
    }

    private static double[] Sorted(IEnumerable<double[]> parts)
    {
        var all = parts.SelectMany(p => p).ToArray();
        Array.Sort(all);
        return all;
    }
}
