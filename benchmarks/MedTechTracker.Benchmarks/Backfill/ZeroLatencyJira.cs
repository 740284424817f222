using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.Benchmarks.Backfill;

/// <summary>
/// A Jira stub on loopback that answers from precomputed bytes (search pages) or with minimal work (bulk create
/// counts the items it is sent), so the measurement is the backfill's own cost. It counts every call.
/// </summary>
public sealed class ZeroLatencyJira : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[][] _pages;
    private int _search;
    private int _bulk;
    private int _other;
    private long _itemsCreated;

    public ZeroLatencyJira(int issueCount, int pageSize, Func<int, (string Summary, string IssueType, IReadOnlyList<string> Existing)> issue)
    {
        var created = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var pages = new List<byte[]>();
        for (var start = 0; start < issueCount; start += pageSize)
        {
            var issues = new JsonArray();
            for (var i = start; i < Math.Min(issueCount, start + pageSize); i++)
            {
                var (summary, type, existing) = issue(i + 1);
                issues.Add(new JsonObject
                {
                    ["id"] = (10_000 + i).ToString(CultureInfo.InvariantCulture),
                    ["key"] = $"MED-{i + 1}",
                    ["fields"] = new JsonObject
                    {
                        ["summary"] = summary,
                        ["description"] = new JsonObject { ["type"] = "doc", ["version"] = 1, ["content"] = new JsonArray(new JsonObject { ["type"] = "paragraph", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = $"Details of MED-{i + 1}." }) }) },
                        ["issuetype"] = new JsonObject { ["id"] = "10001", ["name"] = type, ["subtask"] = false, ["hierarchyLevel"] = 0 },
                        ["created"] = created.AddSeconds(i * 37).ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000",
                        ["subtasks"] = new JsonArray([.. existing.Select((s, n) => (JsonNode)new JsonObject { ["id"] = $"9{i}{n}", ["key"] = $"MED-S{i}-{n}", ["fields"] = new JsonObject { ["summary"] = s } })]),
                    },
                });
            }

            var page = new JsonObject { ["issues"] = issues, ["isLast"] = start + pageSize >= issueCount };
            if (start + pageSize < issueCount)
            {
                page["nextPageToken"] = $"p{pages.Count + 1}";
            }

            pages.Add(Encoding.UTF8.GetBytes(page.ToJsonString()));
        }

        _pages = [.. pages];
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/rest/api/3/search/jql", Search);
        _app.MapPost("/rest/api/3/issue/bulk", Bulk);
        _app.MapPost("/rest/api/3/search/approximate-count", () => { Interlocked.Increment(ref _other); return Results.Text($"{{\"count\":{issueCount}}}", "application/json"); });
        _app.MapGet("/rest/api/3/issue/createmeta/{project}/issuetypes", () =>
        {
            Interlocked.Increment(ref _other);
            return Results.Text("{\"issueTypes\":[{\"id\":\"10003\",\"name\":\"Subtask\",\"subtask\":true,\"hierarchyLevel\":-1}],\"values\":[{\"id\":\"10003\",\"name\":\"Subtask\",\"subtask\":true,\"hierarchyLevel\":-1}]}", "application/json");
        });
        _app.MapGet("/rest/api/3/issue/createmeta/{project}/issuetypes/{typeId}", () =>
        {
            Interlocked.Increment(ref _other);
            return Results.Text("{\"startAt\":0,\"total\":4,\"fields\":[{\"fieldId\":\"summary\"},{\"fieldId\":\"parent\"},{\"fieldId\":\"description\"},{\"fieldId\":\"labels\"}]}", "application/json");
        });

        // The backfill confirms each parent's sub-tasks with GET issue before creating (search lags writes).
        _app.MapGet("/rest/api/3/issue/{key}", (string key) =>
        {
            Interlocked.Increment(ref _other);
            return Results.Text($"{{\"id\":\"1\",\"key\":\"{key}\",\"fields\":{{\"summary\":\"x\",\"issuetype\":{{\"id\":\"10001\",\"name\":\"Story\",\"subtask\":false}},\"project\":{{\"key\":\"MED\"}},\"subtasks\":[]}}}}", "application/json");
        });
        _app.MapGet("/rest/api/3/myself", () => Results.Text("{\"accountId\":\"bot\"}", "application/json"));
    }

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public int SearchCalls => _search;

    public int BulkCalls => _bulk;

    public int OtherCalls => _other;

    public long ItemsCreated => Interlocked.Read(ref _itemsCreated);

    public Task StartAsync() => _app.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task Search(HttpContext context)
    {
        Interlocked.Increment(ref _search);
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var token = body.RootElement.TryGetProperty("nextPageToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var index = token is null ? 0 : int.Parse(token.AsSpan(1), CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(_pages[index]);
    }

    private async Task Bulk(HttpContext context)
    {
        Interlocked.Increment(ref _bulk);
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var count = body.RootElement.GetProperty("issueUpdates").GetArrayLength();
        var first = Interlocked.Add(ref _itemsCreated, count) - count;
        var answer = new StringBuilder("{\"issues\":[");
        for (var n = 0; n < count; n++)
        {
            answer.Append(CultureInfo.InvariantCulture, $"{(n > 0 ? "," : "")}{{\"id\":\"{first + n}\",\"key\":\"MED-C{first + n}\",\"self\":\"x\"}}");
        }

        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Append("],\"errors\":[]}").ToString());
    }
}
