using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using MedTechTracker.Samples.JiraSimulator;

// A Jira stand-in for the demo: `run` serves the simulated Jira, `send` delivers the sample signed webhooks,
// `wait-url` waits for an HTTP endpoint, `tree` prints the issue → sub-task tree once the tracker has settled.
var port = new Option<int>("--port") { Description = "Loopback port (0: any free port).", DefaultValueFactory = _ => 0 };
var webhooks = new Option<DirectoryInfo?>("--webhooks") { Description = "Seed the issues these sample webhooks announce." };
var readyFile = new Option<FileInfo?>("--ready-file") { Description = "Write the base URL here once listening." };
var latencyMs = new Option<int>("--jira-latency-ms") { Description = "Answer every API call after this many milliseconds.", DefaultValueFactory = _ => 0 };
var maxCallsPerSecond = new Option<int>("--max-calls-per-second") { Description = "Tenant quota: more API calls within one second are answered 429 (0: unlimited).", DefaultValueFactory = _ => 0 };
var run = new Command("run", "Serve the simulated Jira until stopped.") { port, webhooks, readyFile, latencyMs, maxCallsPerSecond };
run.SetAction(async (parse, ct) =>
{
    using var jira = SimulatedJira.Start(parse.GetValue(port));
    jira.Latency = TimeSpan.FromMilliseconds(parse.GetValue(latencyMs));
    jira.MaxCallsPerSecond = parse.GetValue(maxCallsPerSecond);
    if (parse.GetValue(webhooks) is { } dir)
    {
        foreach (var file in dir.GetFiles("*.json").OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(file.FullName, ct));
            var issue = jira.AddIssueFromWebhook(doc.RootElement);
            Console.WriteLine($"seeded {issue.Key} from {file.Name}");
        }
    }

    Console.WriteLine($"Jira simulator listening on {jira.Url} (bot accountId {SimulatedJira.BotAccountId})");
    if (parse.GetValue(readyFile) is { } ready)
    {
        await File.WriteAllTextAsync(ready.FullName, jira.Url, ct);
    }

    try
    {
        await Task.Delay(Timeout.Infinite, ct);
    }
    catch (OperationCanceledException)
    {
    }

    return 0;
});

var to = new Option<string>("--to") { Description = "The tracker's webhook endpoint.", Required = true };
var secret = new Option<string?>("--secret") { Description = "Webhook secret (unsigned when absent)." };
var dirOption = new Option<DirectoryInfo>("--dir") { Description = "Directory of webhook bodies (*.json).", Required = true };
var only = new Option<string?>("--only") { Description = "Send only the file with this name." };
var idPrefix = new Option<string>("--id-prefix") { Description = "Webhook ids are <prefix><file name>; the same id twice is a Jira retry.", DefaultValueFactory = _ => "demo-" };
var send = new Command("send", "Deliver the sample webhooks, signed like Jira signs them.") { to, secret, dirOption, only, idPrefix };
send.SetAction(async (parse, ct) =>
{
    using var http = new HttpClient();
    var failures = 0;
    foreach (var file in parse.GetValue(dirOption)!.GetFiles("*.json").OrderBy(f => f.Name, StringComparer.Ordinal))
    {
        if (parse.GetValue(only) is { } name && file.Name != name)
        {
            continue;
        }

        // Jira stamps each event with its time, and the service refuses stale ones: the samples get the time of sending.
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllBytesAsync(file.FullName, ct))!;
        json["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        using var response = await WebhookSender.SendAsync(http, new Uri(parse.GetValue(to)!), body, parse.GetValue(secret), parse.GetValue(idPrefix) + Path.GetFileNameWithoutExtension(file.Name), ct);
        Console.WriteLine($"  {file.Name,-34} → HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        failures += (int)response.StatusCode >= 300 ? 1 : 0;
    }

    return failures == 0 ? 0 : 1;
});

var editJira = new Option<string>("--jira") { Description = "The simulator's base URL.", Required = true };
var editKey = new Option<string>("--key") { Description = "The issue to edit.", Required = true };
var editSummary = new Option<string?>("--summary") { Description = "Its new summary." };
var editDescription = new Option<string?>("--description") { Description = "Its new description (plain text)." };
var editStatus = new Option<string?>("--status") { Description = "A new status (a change no rule reads)." };
var editTo = new Option<string>("--to") { Description = "The tracker's webhook endpoint.", Required = true };
var editSecret = new Option<string?>("--secret") { Description = "Webhook secret (unsigned when absent)." };
var edit = new Command("edit", "Edit an issue the way a person does, then deliver the signed jira:issue_updated Jira sends for it.") { editJira, editKey, editSummary, editDescription, editStatus, editTo, editSecret };
edit.SetAction(async (parse, ct) =>
{
    using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(editJira)!) };
    var key = parse.GetValue(editKey)!;
    using var change = await http.PutAsJsonAsync($"/__sim/issues/{Uri.EscapeDataString(key)}", new { summary = parse.GetValue(editSummary), description = parse.GetValue(editDescription), status = parse.GetValue(editStatus) }, ct);
    change.EnsureSuccessStatusCode();
    var body = await change.Content.ReadAsByteArrayAsync(ct);
    using var response = await WebhookSender.SendAsync(http, new Uri(parse.GetValue(editTo)!), body, parse.GetValue(editSecret), $"demo-edit-{key}-{Guid.NewGuid():N}", ct);
    var what = string.Join(", ", new[] { ("summary", parse.GetValue(editSummary)), ("description", parse.GetValue(editDescription)), ("status", parse.GetValue(editStatus)) }.Where(f => f.Item2 is not null).Select(f => f.Item1));
    Console.WriteLine($"  {key}: {what} changed; jira:issue_updated → HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
    return (int)response.StatusCode >= 300 ? 1 : 0;
});

var url = new Argument<string>("url") { Description = "The URL that must answer 2xx." };
var timeout = new Option<int>("--timeout") { Description = "Seconds to wait.", DefaultValueFactory = _ => 60 };
var waitUrl = new Command("wait-url", "Wait until a URL answers 2xx.") { url, timeout };
waitUrl.SetAction(async (parse, ct) =>
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    var deadline = DateTime.UtcNow.AddSeconds(parse.GetValue(timeout));
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            using var response = await http.GetAsync(parse.GetValue(url), ct);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }
        }
        catch (HttpRequestException)
        {
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        await Task.Delay(250, ct);
    }

    await Console.Error.WriteLineAsync($"{parse.GetValue(url)} did not answer 2xx within {parse.GetValue(timeout)} s");
    return 1;
});

var jiraUrl = new Option<string>("--jira") { Description = "The simulator's base URL.", Required = true };
var project = new Option<string?>("--project") { Description = "Only this project." };
var awaitRead = new Option<string?>("--await-read") { Description = "Comma-separated issue keys the tracker must have read before printing." };
var awaitSubtasks = new Option<string?>("--await-subtasks") { Description = "Comma-separated issue keys that must have a sub-task before printing." };
var quiet = new Option<int>("--quiet") { Description = "Then wait until nothing was written to Jira for this many seconds.", DefaultValueFactory = _ => 0 };
var tree = new Command("tree", "Print the issue → sub-task tree.") { jiraUrl, project, awaitRead, awaitSubtasks, quiet, timeout };
tree.SetAction(async (parse, ct) =>
{
    using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(jiraUrl)!) };
    var quietFor = TimeSpan.FromSeconds(parse.GetValue(quiet));
    var deadline = DateTimeOffset.UtcNow.AddSeconds(parse.GetValue(timeout));
    var mustRead = (parse.GetValue(awaitRead) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var mustHaveSubtasks = (parse.GetValue(awaitSubtasks) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var readSince = (DateTimeOffset?)null;
    SimulatorSnapshot snapshot;
    while (true)
    {
        snapshot = (await http.GetFromJsonAsync<SimulatorSnapshot>("/__sim/state", SnapshotJson.Options, ct))!;
        var allRead = mustRead.All(key => snapshot.Issues.Any(i => i.Key == key && i.Reads > 0))
            && mustHaveSubtasks.All(key => snapshot.Issues.Any(i => i.Key == key && i.Subtasks.Count > 0));
        readSince = allRead ? readSince ?? DateTimeOffset.UtcNow : null;
        var lastActivity = new[] { snapshot.LastWriteAt ?? DateTimeOffset.MinValue, readSince ?? DateTimeOffset.MaxValue }.Max();
        if (allRead && DateTimeOffset.UtcNow - lastActivity >= quietFor)
        {
            break;
        }

        if (DateTimeOffset.UtcNow > deadline)
        {
            await Console.Error.WriteLineAsync("The tracker did not settle in time; printing what there is.");
            Console.Write(IssueTree.Render(snapshot, parse.GetValue(project)));
            return 1;
        }

        await Task.Delay(250, ct);
    }

    Console.Write(IssueTree.Render(snapshot, parse.GetValue(project)));
    return 0;
});

var root = new RootCommand("Jira simulator for the MedTech Compliance Tracker demo and tests.") { run, send, edit, waitUrl, tree };
return await root.Parse(args).InvokeAsync();
