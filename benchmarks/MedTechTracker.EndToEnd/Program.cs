using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MedTechTracker.Samples.JiraSimulator;

// End to end: signed webhook sent → bulk-create request received by a zero-latency simulated Jira, through a real
// `serve` child process (ingress + SQLite queue + worker). Open-loop load at a fixed rate; also samples the
// child's resident memory from /proc/<pid>/status (VmRSS while loaded, VmHWM at the end).
var rate = Arg("--rate", 50);
var seconds = Arg("--seconds", 30);
var warmupSeconds = Arg("--warmup", 5);
var culture = CultureInfo.InvariantCulture;

var work = Directory.CreateTempSubdirectory("mtc-e2e-");
using var jira = SimulatedJira.Start();
jira.AddProject("MED", "Infusion pump");
var total = (warmupSeconds + seconds) * rate;
var issues = Enumerable.Range(0, total)
    .Select(i => jira.AddIssue("MED", $"Alarm volume change {i}", "The new alarm tone may be a hazard for patients: update the risk analysis."))
    .ToList();

var sentAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
var latencies = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
jira.OnBulkCreate = parents =>
{
    var now = Stopwatch.GetTimestamp();
    foreach (var parent in parents.Distinct())
    {
        if (sentAt.TryGetValue(parent, out var sent))
        {
            latencies.TryAdd(parent, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
        }
    }
};

var secret = "e2e-" + Guid.NewGuid().ToString("N");
var env = new Dictionary<string, string>
{
    ["Data__Directory"] = Path.Combine(work.FullName, "data"),
    ["Jira__BaseUrl"] = jira.Url,
    ["Jira__Email"] = "bot@example.com",
    ["Jira__ApiToken"] = "token",
    ["Webhook__Secret"] = secret,
    ["Logging__LogLevel__Default"] = "Warning",
    ["ASPNETCORE_ENVIRONMENT"] = "Production",
};
foreach (var setting in args.Where(a => a.StartsWith("--set:", StringComparison.Ordinal)))
{
    var pair = setting["--set:".Length..].Split('=', 2);
    env[pair[0]] = pair[1];
}

var app = Path.Combine(AppContext.BaseDirectory, "medtech-tracker.dll");
await RunToEndAsync(app, env, "projects", "enable", "MED");

var port = FreePort();
using var serve = Start(app, env, "serve", "--urls", $"http://127.0.0.1:{port}");
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
await WaitReadyAsync(http);

long peakRss = 0;
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        peakRss = Math.Max(peakRss, ReadStatusKb(serve.Id, "VmRSS"));
        try
        {
            await Task.Delay(250, sampling.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }
});

Console.WriteLine($"serve pid {serve.Id}: {rate} webhooks/s for {warmupSeconds} s warm-up + {seconds} s measured ({total} issues)");
var statuses = new ConcurrentDictionary<int, int>();
var sends = new List<Task>(total);
var clock = Stopwatch.StartNew();
var origin = Stopwatch.GetTimestamp();
for (var i = 0; i < total; i++)
{
    var due = TimeSpan.FromSeconds((double)i / rate);
    var wait = due - clock.Elapsed;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }

    // Open loop: latency counts from the scheduled send time, so a late sender cannot hide queueing delay.
    sends.Add(SendAsync(issues[i], origin + (long)(due.TotalSeconds * Stopwatch.Frequency)));
}

await Task.WhenAll(sends);
var deadline = DateTime.UtcNow.AddSeconds(60);
while (latencies.Count < total && DateTime.UtcNow < deadline)
{
    await Task.Delay(100);
}

var rssUnderLoad = peakRss;
var hwm = ReadStatusKb(serve.Id, "VmHWM");
await sampling.CancelAsync();
await sampler;

var measuredKeys = issues.Skip(warmupSeconds * rate).Select(i => i.Key).ToList();
var values = measuredKeys.Where(latencies.ContainsKey).Select(k => latencies[k]).Order().ToArray();
Console.WriteLine($"HTTP statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
Console.WriteLine($"measured webhooks: {measuredKeys.Count}, bulk creates seen: {values.Length}, missing: {measuredKeys.Count - values.Length}");
if (values.Length > 0)
{
    Console.WriteLine(string.Create(culture, $"webhook → bulk-create latency ms: p50 {Percentile(values, 50):F1}  p90 {Percentile(values, 90):F1}  p99 {Percentile(values, 99):F1}  max {values[^1]:F1}"));
}

Console.WriteLine(string.Create(culture, $"serve resident memory: peak VmRSS under load {rssUnderLoad / 1024.0:F1} MB, VmHWM {hwm / 1024.0:F1} MB"));
serve.Kill();
await serve.WaitForExitAsync();
try
{
    work.Delete(recursive: true);
}
catch (IOException)
{
}

return values.Length == measuredKeys.Count ? 0 : 1;

async Task SendAsync(SimulatedIssue issue, long scheduled)
{
    var body = Encoding.UTF8.GetBytes(Webhook(issue));
    sentAt[issue.Key] = scheduled;

    try
    {
        using var response = await WebhookSender.SendAsync(http, new Uri("/webhooks/jira", UriKind.Relative), body, secret, "e2e-" + issue.Key, CancellationToken.None);
        statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
    }
    catch (HttpRequestException)
    {
        statuses.AddOrUpdate(-1, 1, (_, n) => n + 1);
    }
}

static string Webhook(SimulatedIssue issue) => new JsonObject
{
    ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    ["webhookEvent"] = "jira:issue_created",
    ["user"] = new JsonObject { ["accountId"] = "5b10ac8d82e05b22cc7d4ef5" },
    ["issue"] = new JsonObject
    {
        ["id"] = issue.Id,
        ["key"] = issue.Key,
        ["fields"] = new JsonObject
        {
            ["summary"] = issue.Summary,
            ["description"] = Adf.ToText(issue.Description),
            ["issuetype"] = new JsonObject { ["id"] = issue.Type.Id, ["name"] = issue.Type.Name, ["subtask"] = false, ["hierarchyLevel"] = 0 },
            ["project"] = new JsonObject { ["id"] = issue.Project.Id, ["key"] = issue.Project.Key },
        },
    },
}.ToJsonString();

static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

static long ReadStatusKb(int pid, string field)
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

static Process Start(string app, Dictionary<string, string> env, params string[] args)
{
    var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(app);
    foreach (var arg in args)
    {
        start.ArgumentList.Add(arg);
    }

    foreach (var (key, value) in env)
    {
        start.Environment[key] = value;
    }

    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine("serve: " + e.Data);
        }
    };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task RunToEndAsync(string app, Dictionary<string, string> env, params string[] args)
{
    using var process = Start(app, env, args);
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{string.Join(' ', args)} exited with {process.ExitCode}");
    }
}

static async Task WaitReadyAsync(HttpClient http)
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

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
