using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace MedTechTracker.IntegrationTests.Backfill;

/// <summary>
/// WireMock.Net as Jira Cloud for backfills and the admin API: a project of issues with their sub-tasks,
/// paged JQL search (with a small evaluator for project, created and top-level OR), approximate count,
/// bulk create that really adds the sub-tasks, createmeta, project search, issue read. Every request is counted.
/// </summary>
public sealed partial class JiraStub : IDisposable
{
    public const string SubtaskTypeId = "10003";
    private readonly Lock _gate = new();
    private readonly WireMockServer _server;
    private int _requestNumber;
    private int _nextSubtask = 100_000;

    public JiraStub()
    {
        _server = WireMockServer.Start();
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Handle));
    }

    public string BaseUrl => _server.Url!;

    public List<StubIssue> Issues { get; } = [];

    public List<(string Key, string Name)> Projects { get; } = [("MED", "Medical devices"), ("OTHER", "Another team")];

    public List<string> SearchedJql { get; } = [];

    public List<string> CountedJql { get; } = [];

    public List<int> BulkCallSizes { get; } = [];

    /// <summary>Sub-tasks created through bulk create: parent key and summary.</summary>
    public List<(string Parent, string Summary)> Created { get; } = [];

    public Dictionary<string, int> CallsByOperation { get; } = [];

    /// <summary>Page tokens Jira no longer accepts (they expire after about 7 days).</summary>
    public HashSet<string> ExpiredTokens { get; } = [];

    /// <summary>Request number (1-based, over all requests) → answer 429 with Retry-After.</summary>
    public Func<int, bool> RateLimited { get; set; } = _ => false;

    public int RateLimitedCount { get; private set; }

    public TimeSpan Latency { get; set; }

    public int TotalCalls => CallsByOperation.Values.Sum();

    /// <summary>1,200-style generated project: varied texts, ties in created time, some issues already carrying a sub-task.</summary>
    public void Generate(string project, int count, Func<int, IReadOnlyList<string>>? existingSubtasks = null)
    {
        string[] phrases =
        [
            "add unit tests for the infusion pump driver",
            "risk analysis of the alarm thresholds",
            "update the SBOM after the library upgrade",
            "rename a variable",
            "fix the usability of the settings screen and a vulnerability in login",
            "tidy the build output",
            "integration testing of the dose calculator",
        ];
        var created = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
        for (var i = 1; i <= count; i++)
        {
            if (i % 10 != 0)
            {
                created = created.AddSeconds(37);
            }

            var issue = new StubIssue($"{project}-{i}", (10_000 + Issues.Count).ToString(CultureInfo.InvariantCulture), project, created, phrases[i % phrases.Length], $"Details of {project}-{i}.", i % 9 == 0 ? "Bug" : "Story");
            foreach (var summary in existingSubtasks?.Invoke(i) ?? [])
            {
                issue.Subtasks.Add(($"{project}-S{_nextSubtask++}", summary));
            }

            Issues.Add(issue);
        }
    }

    public StubIssue Issue(string key) => Issues.Single(i => i.Key == key);

    public void Dispose() => _server.Stop();

    private async Task<IResponseMessage> Handle(IRequestMessage request)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency).ConfigureAwait(false);
        }

        lock (_gate)
        {
            var number = ++_requestNumber;
            var path = request.AbsolutePath;
            var operation = Operation(request.Method, path);
            CallsByOperation[operation] = CallsByOperation.GetValueOrDefault(operation) + 1;
            if (RateLimited(number))
            {
                RateLimitedCount++;
                var limited = Json(429, new JsonObject { ["errorMessages"] = new JsonArray("Rate limit exceeded.") });
                limited.AddHeader("Retry-After", "1");
                limited.AddHeader("RateLimit-Reason", "jira-burst-based");
                return limited;
            }

            return operation switch
            {
                "search" => Search(JsonNode.Parse(request.Body!)!.AsObject()),
                "count" => Count(JsonNode.Parse(request.Body!)!["jql"]!.GetValue<string>()),
                "bulk" => Bulk(JsonNode.Parse(request.Body!)!.AsObject()),
                "createmeta" => Json(200, new JsonObject
                {
                    ["startAt"] = 0,
                    ["maxResults"] = 50,
                    ["total"] = 2,
                    ["issueTypes"] = IssueTypes(),
                    ["values"] = IssueTypes(),
                }),
                "createmeta-fields" => Json(200, new JsonObject
                {
                    ["startAt"] = 0,
                    ["maxResults"] = 50,
                    ["total"] = 4,
                    ["fields"] = new JsonArray([.. new[] { "summary", "parent", "description", "labels" }.Select(f => (JsonNode)new JsonObject { ["fieldId"] = f })]),
                }),
                "projects" => Json(200, new JsonObject
                {
                    ["startAt"] = 0,
                    ["maxResults"] = 50,
                    ["total"] = Projects.Count,
                    ["isLast"] = true,
                    ["values"] = new JsonArray([.. Projects.Select(p => (JsonNode)new JsonObject { ["id"] = $"1{p.Key.Length}{p.Key[0]}", ["key"] = p.Key, ["name"] = p.Name })]),
                }),
                "myself" => Json(200, new JsonObject { ["accountId"] = "bot-account", ["displayName"] = "Compliance bot" }),
                "issue" => Issues.FirstOrDefault(i => i.Key == path.Split('/')[^1]) is { } issue
                    ? Json(200, IssueJson(issue, withProject: true))
                    : Json(404, new JsonObject { ["errorMessages"] = new JsonArray("Issue does not exist or you do not have permission to see it.") }),
                _ => Json(404, new JsonObject { ["errorMessages"] = new JsonArray($"No stub for {request.Method} {path}") }),
            };
        }
    }

    private static string Operation(string method, string path) => (method, path) switch
    {
        ("POST", "/rest/api/3/search/jql") => "search",
        ("POST", "/rest/api/3/search/approximate-count") => "count",
        ("POST", "/rest/api/3/issue/bulk") => "bulk",
        ("GET", "/rest/api/3/project/search") => "projects",
        ("GET", "/rest/api/3/myself") => "myself",
        ("GET", _) when path.StartsWith("/rest/api/3/issue/createmeta/", StringComparison.Ordinal) && path.Split('/').Length == 9 => "createmeta-fields",
        ("GET", _) when path.StartsWith("/rest/api/3/issue/createmeta/", StringComparison.Ordinal) => "createmeta",
        ("GET", _) when path.StartsWith("/rest/api/3/issue/", StringComparison.Ordinal) => "issue",
        _ => "other",
    };

    private static JsonArray IssueTypes() =>
    [
        new JsonObject { ["id"] = "10001", ["name"] = "Story", ["subtask"] = false, ["hierarchyLevel"] = 0 },
        new JsonObject { ["id"] = SubtaskTypeId, ["name"] = "Subtask", ["subtask"] = true, ["hierarchyLevel"] = -1 },
    ];

    private ResponseMessage Search(JsonObject body)
    {
        var jql = body["jql"]!.GetValue<string>();
        SearchedJql.Add(jql);
        var token = body["nextPageToken"]?.GetValue<string>();
        var max = body["maxResults"]?.GetValue<int>() ?? 50;
        if (token is not null && ExpiredTokens.Contains(token))
        {
            return Json(400, new JsonObject { ["errorMessages"] = new JsonArray("The provided next page token is invalid or expired."), ["errors"] = new JsonObject() });
        }

        var matching = Evaluate(jql);
        var start = token is null ? 0 : int.Parse(token.Split('.')[1], CultureInfo.InvariantCulture);
        var page = matching.Skip(start).Take(max).ToList();
        var result = new JsonObject
        {
            ["issues"] = new JsonArray([.. page.Select(i => (JsonNode)IssueJson(i, withProject: false))]),
            ["isLast"] = start + page.Count >= matching.Count,
        };
        if (start + page.Count < matching.Count)
        {
            result["nextPageToken"] = $"t{(uint)jql.GetHashCode(StringComparison.Ordinal)}.{start + page.Count}";
        }

        return Json(200, result);
    }

    private ResponseMessage Count(string jql)
    {
        CountedJql.Add(jql);
        return Json(200, new JsonObject { ["count"] = Evaluate(jql).Count });
    }

    private ResponseMessage Bulk(JsonObject body)
    {
        var updates = body["issueUpdates"]!.AsArray();
        BulkCallSizes.Add(updates.Count);
        var issues = new JsonArray();
        var errors = new JsonArray();
        for (var n = 0; n < updates.Count; n++)
        {
            var fields = updates[n]!["fields"]!;
            var parent = Issues.FirstOrDefault(i => i.Key == fields["parent"]?["key"]?.GetValue<string>());
            if (parent is null || fields["issuetype"]?["id"]?.GetValue<string>() != SubtaskTypeId)
            {
                errors.Add(new JsonObject { ["status"] = 400, ["failedElementNumber"] = n, ["elementErrors"] = new JsonObject { ["errors"] = new JsonObject { ["parent"] = "Parent or issue type is invalid." } } });
                continue;
            }

            var key = $"{parent.Project}-S{_nextSubtask++}";
            var summary = fields["summary"]!.GetValue<string>();
            parent.Subtasks.Add((key, summary));
            Created.Add((parent.Key, summary));
            issues.Add(new JsonObject { ["id"] = key, ["key"] = key, ["self"] = $"{BaseUrl}/rest/api/3/issue/{key}" });
        }

        return Json(issues.Count > 0 ? 201 : 400, new JsonObject { ["issues"] = issues, ["errors"] = errors });
    }

    /// <summary>project = K, created &gt;= "…", and top-level OR (so an unparenthesised filter would leak).</summary>
    private List<StubIssue> Evaluate(string jql)
    {
        var query = OrderBy().Replace(jql, "");
        var projects = new HashSet<string>(StringComparer.Ordinal);
        var allProjects = false;
        foreach (var disjunct in TopLevel(query, " OR "))
        {
            var clauses = TopLevel(disjunct, " AND ");
            var project = clauses.Select(c => ProjectClause().Match(c.Trim())).FirstOrDefault(m => m.Success);
            if (project is null)
            {
                allProjects = true;
            }
            else
            {
                projects.Add(project.Groups[1].Value);
            }
        }

        var since = CreatedClause().Match(query) is { Success: true } m
            ? DateTimeOffset.ParseExact(m.Groups[1].Value, ["yyyy-MM-dd HH:mm", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.MinValue;
        return [.. Issues.Where(i => (allProjects || projects.Contains(i.Project)) && i.Created >= since).OrderBy(i => i.Created).ThenBy(i => i.Id, StringComparer.Ordinal)];
    }

    private static List<string> TopLevel(string text, string separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '(')
            {
                depth++;
            }
            else if (!quoted && c == ')')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && string.Compare(text, i, separator, 0, separator.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                parts.Add(text[start..i]);
                start = i + separator.Length;
                i += separator.Length - 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static JsonObject IssueJson(StubIssue issue, bool withProject)
    {
        var fields = new JsonObject
        {
            ["summary"] = issue.Summary,
            ["description"] = new JsonObject
            {
                ["type"] = "doc",
                ["version"] = 1,
                ["content"] = new JsonArray(new JsonObject { ["type"] = "paragraph", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = issue.Description }) }),
            },
            ["issuetype"] = new JsonObject { ["id"] = issue.IssueType == "Bug" ? "10004" : "10001", ["name"] = issue.IssueType, ["subtask"] = false, ["hierarchyLevel"] = 0 },
            ["created"] = issue.Created.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000",
            ["subtasks"] = new JsonArray([.. issue.Subtasks.Select(s => (JsonNode)new JsonObject
            {
                ["id"] = s.Key,
                ["key"] = s.Key,
                ["fields"] = new JsonObject
                {
                    ["summary"] = s.Summary,
                    ["status"] = new JsonObject { ["name"] = "To Do" },
                    ["issuetype"] = new JsonObject { ["id"] = SubtaskTypeId, ["name"] = "Subtask", ["subtask"] = true, ["hierarchyLevel"] = -1 },
                },
            })]),
            ["project"] = new JsonObject { ["id"] = "1", ["key"] = issue.Project, ["name"] = issue.Project },
        };
        return new JsonObject { ["id"] = issue.Id, ["key"] = issue.Key, ["self"] = $"https://example.atlassian.net/rest/api/3/issue/{issue.Id}", ["fields"] = fields };
    }

    private static ResponseMessage Json(int status, JsonNode body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    [GeneratedRegex(@"\s+ORDER BY .*$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderBy();

    [GeneratedRegex(@"^\(?\s*project\s*=\s*""?([A-Z][A-Z0-9_]*)""?\s*\)?$")]
    private static partial Regex ProjectClause();

    [GeneratedRegex("created >= \"([^\"]+)\"")]
    private static partial Regex CreatedClause();
}

public sealed record StubIssue(string Key, string Id, string Project, DateTimeOffset Created, string Summary, string Description, string IssueType)
{
    public List<(string Key, string Summary)> Subtasks { get; } = [];
}
