using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>
/// A stateful Jira Cloud (REST v3) on WireMock.Net, just the calls the tracker makes: myself, read an issue
/// (its <c>fields.subtasks</c> reflect what was created), createmeta issue types, bulk create (validated and
/// recorded), project search, JQL search with page tokens and approximate count. Faults can be queued per
/// operation to simulate 429/5xx/400 answers.
/// </summary>
public sealed partial class SimulatedJira : IDisposable
{
    public const string BotAccountId = "557058:5e1f0b0a-7c1a-4c6e-9d2b-b07b07b07b07";

    /// <summary>The simulated site's cloud id (<c>/_edge/tenant_info</c>); the gateway form is <c>/ex/jira/{CloudId}/rest/api/3/…</c>.</summary>
    public const string CloudId = "0c0ffee0-5eed-4a11-9d2b-00000000c1d0";
    private const string Api = "/rest/api/3";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimulatedProject> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedIssue> _issues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keyById = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<JiraOperation, ConcurrentQueue<SimulatedFault>> _faults = new();
    private readonly ConcurrentDictionary<JiraOperation, int> _calls = new();
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _bulkBodies = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private (string ClientId, string Secret, TimeSpan Lifetime)? _oauth;
    private DateTimeOffset _windowClosedUntil;
    private (string Reason, bool Beta, bool RetryAfter) _window;
    private int _tokensIssued;
    private int _expiredTokenCalls;
    private int _callsWhileClosed;
    private int _throttledAnswers;
    private int _perIssueRefusals;
    private readonly Dictionary<string, Queue<DateTimeOffset>> _writesByParent = new(StringComparer.Ordinal);
    private int _nextId = 10000;
    private int _bulkCreateCalls;
    private long _lastWriteTicks;
    private readonly Lock _quotaGate = new();
    private DateTimeOffset _quotaWindowEnd;
    private int _quotaWindowCalls;
    private int _quotaRefusals;
    private int _inFlight;
    private int _peakInFlight;

    private SimulatedJira(WireMockServer server, int port)
    {
        Server = server;
        Url = $"http://127.0.0.1:{port}";
        Map(JiraOperation.Myself, Path("/myself").UsingGet(), Myself);
        Map(JiraOperation.CreateMeta, Path("/issue/createmeta/[^/]+/issuetypes").UsingGet(), CreateMeta, priority: 1);
        Map(JiraOperation.CreateMetaFields, Path("/issue/createmeta/[^/]+/issuetypes/[^/]+").UsingGet(), CreateMetaFields, priority: 1);
        Map(JiraOperation.BulkCreate, Path("/issue/bulk").UsingPost(), BulkCreate, priority: 1);
        Map(JiraOperation.GetIssue, Path("/issue/[^/]+").UsingGet(), GetIssue, priority: 5);
        Map(JiraOperation.GetProperty, Path("/issue/[^/]+/properties/[^/]+").UsingGet(), GetProperty, priority: 2);
        Map(JiraOperation.SetProperty, Path("/issue/[^/]+/properties/[^/]+").UsingPut(), SetProperty, priority: 2);
        Map(JiraOperation.Search, Path("/search/jql").UsingPost(), Search);
        Map(JiraOperation.Count, Path("/search/approximate-count").UsingPost(), Count);
        Map(JiraOperation.Projects, Path("/project/search").UsingGet(), Projects, priority: 1);
        Map(JiraOperation.GetProject, Path("/project/[^/]+").UsingGet(), GetProject, priority: 5);
        Server.Given(Request.Create().WithPath("/oauth/token").UsingPost()).RespondWith(Response.Create().WithCallback(IssueToken));
        Server.Given(Request.Create().WithPath("/_edge/tenant_info").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new JsonObject { ["cloudId"] = CloudId })));
        Server.Given(Path("/search").UsingAnyMethod())
            .RespondWith(Response.Create().WithCallback(_ => Json(410, Errors("The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."))));
        // The demo's "a person edits the issue": PUT {"summary"?, "description"?, "status"?} (plain text), answered with the jira:issue_updated Jira would send.
        Server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/__sim/issues/[^/]+$")).UsingPut())
            .RespondWith(Response.Create().WithCallback(EditFromRequest));
        Server.Given(Request.Create().WithPath("/__sim/state").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, JsonSerializer.SerializeToNode(Snapshot(), SnapshotJson.Options))));
    }

    public WireMockServer Server { get; }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:5xxxx</c> (loopback only).</summary>
    public string Url { get; }

    /// <summary>Extra latency for every bulk create (holds the caller mid-request, e.g. to kill a worker while it waits).</summary>
    public TimeSpan BulkCreateDelay { get; set; }

    /// <summary>
    /// Latency of every API call (not <c>/oauth/token</c>): each waits this long, asynchronously, before it is
    /// answered, so many calls can be in flight at once. <see cref="BulkCreateDelay"/> comes on top of it.
    /// </summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// The tenant's quota: API calls allowed per 1-second window (0: unlimited). The window opens with the first call
    /// after the previous one ended; more calls within it are answered 429 with <c>Retry-After: 1</c>,
    /// <c>X-RateLimit-Reset</c> (the window's end) and <c>RateLimit-Reason: jira-quota-tenant-based</c>.
    /// </summary>
    public int MaxCallsPerSecond { get; set; }

    /// <summary>Calls refused by <see cref="MaxCallsPerSecond"/>.</summary>
    public int QuotaRefusals => Volatile.Read(ref _quotaRefusals);

    /// <summary>Every 429 the tenant rate limit answered: a closed rate window (<see cref="CloseRateWindow"/>) or the quota (<see cref="MaxCallsPerSecond"/>).</summary>
    public int ThrottledAnswers => Volatile.Read(ref _throttledAnswers);

    /// <summary>The most API calls that were being answered at the same time.</summary>
    public int PeakConcurrentCalls => Volatile.Read(ref _peakInFlight);

    public int BulkCreateCalls => Volatile.Read(ref _bulkCreateCalls);

    /// <summary>Raw bodies of every bulk-create request, in arrival order.</summary>
    public IReadOnlyCollection<string> BulkCreateBodies => _bulkBodies;

    public DateTimeOffset? LastWriteAt => Interlocked.Read(ref _lastWriteTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Called when a bulk-create request arrives, before it is answered (benchmarks time webhook → create with it).</summary>
    public Action<IReadOnlyList<string>>? OnBulkCreate { get; set; }

    public static SimulatedJira Start(int port = 0)
    {
        if (port == 0)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{port}"],
            StartAdminInterface = false,
            DisableJsonBodyParsing = true,
            MaxRequestLogCount = 10_000,
        });
        return new SimulatedJira(server, port);
    }

    public int Calls(JiraOperation operation) => _calls.GetValueOrDefault(operation);

    /// <summary>Every API call so far.</summary>
    public int TotalCalls => _calls.Values.Sum();

    /// <summary>
    /// Writes allowed under one parent per 2 s (0: unlimited); more are answered 429 with
    /// <c>RateLimit-Reason: jira-per-issue-on-write</c> and <c>Retry-After: 2</c>, and nothing of that request is created.
    /// </summary>
    public int PerIssueWriteLimit { get; set; }

    /// <summary>Bulk creates refused by <see cref="PerIssueWriteLimit"/>.</summary>
    public int PerIssueRefusals => Volatile.Read(ref _perIssueRefusals);

    /// <summary>Search does not see issues or sub-tasks created less than this long ago (Jira's search index lags writes).</summary>
    public TimeSpan SearchLag { get; set; }

    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Calls refused because their OAuth token had expired.</summary>
    public int ExpiredTokenCalls => Volatile.Read(ref _expiredTokenCalls);

    /// <summary>API calls that arrived while a rate window was closed (each answered 429).</summary>
    public int CallsWhileClosed => Volatile.Read(ref _callsWhileClosed);

    /// <summary>
    /// API calls then need a Bearer token from <c>POST /oauth/token</c> (client credentials), valid for <paramref name="lifetime"/>;
    /// an expired or unknown token is answered 401.
    /// </summary>
    public void RequireOAuth(string clientId, string clientSecret, TimeSpan lifetime) => _oauth = (clientId, clientSecret, lifetime);

    /// <summary>
    /// Closes the tenant's rate window for <paramref name="length"/>: every API call is answered 429 with
    /// <c>X-RateLimit-Reset</c> (the ISO instant it opens), <c>RateLimit-Reason</c> and <c>X-RateLimit-NearLimit</c>
    /// (with <paramref name="beta"/> the <c>X-Beta-</c> variants), and <c>Retry-After</c> only when asked.
    /// </summary>
    public DateTimeOffset CloseRateWindow(TimeSpan length, string reason = "jira-quota-tenant-based", bool beta = false, bool retryAfter = false)
    {
        _window = (reason, beta, retryAfter);
        _windowClosedUntil = DateTimeOffset.UtcNow + length;
        return _windowClosedUntil;
    }

    public int Reads(string issueKey) => _reads.GetValueOrDefault(issueKey);

    /// <summary>The next call of <paramref name="operation"/> is answered with this fault instead.</summary>
    public void EnqueueFault(JiraOperation operation, SimulatedFault fault) =>
        _faults.GetOrAdd(operation, _ => new ConcurrentQueue<SimulatedFault>()).Enqueue(fault);

    /// <summary>Jira's answer when every item of a bulk create is refused: 400 with one field error per item.</summary>
    public static SimulatedFault BulkFieldError(string field, string message, int items = 1)
    {
        var errors = new JsonArray();
        for (var i = 0; i < items; i++)
        {
            errors.Add(new JsonObject
            {
                ["status"] = 400,
                ["elementErrors"] = new JsonObject { ["errorMessages"] = new JsonArray(), ["errors"] = new JsonObject { [field] = message } },
                ["failedElementNumber"] = i,
            });
        }

        return new SimulatedFault(400, new JsonObject { ["issues"] = new JsonArray(), ["errors"] = errors }.ToJsonString());
    }

    public static SimulatedFault RateLimited(int retryAfterSeconds) =>
        new(429, Errors("Rate limit exceeded.").ToJsonString(), retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static SimulatedFault ServerError() => new(500, Errors("Internal server error.").ToJsonString());

    public SimulatedProject AddProject(string key, string name, bool withSubtaskType = true, string? id = null)
    {
        lock (_gate)
        {
            if (_projects.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var project = new SimulatedProject
            {
                Id = id ?? NextId(),
                Key = key,
                Name = name,
                IssueTypes = withSubtaskType ? IssueType.Standard : [.. IssueType.Standard.Where(t => !t.Subtask)],
            };
            _projects[key] = project;
            return project;
        }
    }

    /// <summary>Adds a top-level issue; the description is plain text (stored as ADF, as REST v3 returns it).</summary>
    public SimulatedIssue AddIssue(string projectKey, string summary, string? description = null, string type = "Story", string? key = null, string? id = null, DateTimeOffset? created = null)
    {
        lock (_gate)
        {
            var project = _projects.TryGetValue(projectKey, out var p) ? p : AddProject(projectKey, projectKey);
            var issueType = project.IssueTypes.FirstOrDefault(t => t.Name == type) ?? project.IssueTypes[0];
            return Store(project, issueType, key, id, summary, description is null ? null : Adf.FromText(description), null, [], null, created);
        }
    }

    /// <summary>Seeds the issue a sample webhook announces (<c>{webhookEvent, user, issue}</c>), so the tracker can read it back.</summary>
    public SimulatedIssue AddIssueFromWebhook(JsonElement webhook)
    {
        var issue = webhook.GetProperty("issue");
        var fields = issue.GetProperty("fields");
        var projectJson = fields.GetProperty("project");
        var typeJson = fields.GetProperty("issuetype");
        lock (_gate)
        {
            var project = AddProject(projectJson.GetProperty("key").GetString()!, projectJson.TryGetProperty("name", out var n) ? n.GetString()! : "Project", id: projectJson.TryGetProperty("id", out var pid) ? pid.GetString() : null);
            var typeName = typeJson.GetProperty("name").GetString()!;
            var issueType = project.IssueTypes.FirstOrDefault(t => t.Name == typeName) ?? project.IssueTypes[0];
            var description = fields.TryGetProperty("description", out var d) ? d.ValueKind switch
            {
                JsonValueKind.String => Adf.FromText(d.GetString()!),
                JsonValueKind.Object => JsonNode.Parse(d.GetRawText()),
                _ => null,
            } : null;
            var parent = fields.TryGetProperty("parent", out var pj) && pj.ValueKind == JsonValueKind.Object ? pj.GetProperty("key").GetString() : null;
            var labels = fields.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            var user = webhook.TryGetProperty("user", out var u) && u.TryGetProperty("accountId", out var a) ? a.GetString() : null;
            return Store(project, issueType, issue.GetProperty("key").GetString(), issue.GetProperty("id").GetString(), fields.GetProperty("summary").GetString() ?? "", description, parent, labels, user);
        }
    }

    /// <summary>A person edits the issue (plain-text description, stored as ADF); returns the changelog items Jira's <c>jira:issue_updated</c> carries.</summary>
    public JsonArray Edit(string issueKey, string? summary = null, string? description = null)
    {
        lock (_gate)
        {
            var issue = _issues[issueKey];
            var items = new JsonArray();
            if (summary is not null)
            {
                items.Add(ChangeItem("summary", issue.Summary, summary));
                issue.Summary = summary;
            }

            if (description is not null)
            {
                items.Add(ChangeItem("description", Adf.ToText(issue.Description), description));
                issue.Description = Adf.FromText(description);
            }

            return items;
        }
    }

    /// <summary>A person deletes an issue (a sub-task: it disappears from its parent's <c>fields.subtasks</c>).</summary>
    public void Delete(string issueKey)
    {
        lock (_gate)
        {
            if (_issues.Remove(issueKey, out var issue))
            {
                _keyById.Remove(issue.Id);
                if (issue.ParentKey is not null && _issues.TryGetValue(issue.ParentKey, out var parent))
                {
                    parent.SubtaskKeys.Remove(issueKey);
                }
            }
        }
    }

    /// <summary>The issue property's JSON value, or null.</summary>
    public string? Property(string issueKey, string propertyKey)
    {
        lock (_gate)
        {
            return _issues.TryGetValue(issueKey, out var issue) && issue.Properties.TryGetValue(propertyKey, out var value) ? value : null;
        }
    }

    public IReadOnlyList<SimulatedIssue> SubtasksOf(string parentKey)
    {
        lock (_gate)
        {
            return _issues.TryGetValue(parentKey, out var parent) ? [.. parent.SubtaskKeys.Select(k => _issues[k])] : [];
        }
    }

    public SimulatorSnapshot Snapshot()
    {
        lock (_gate)
        {
            var issues = _issues.Values
                .OrderBy(i => i.Project.Key, StringComparer.Ordinal).ThenBy(i => i.Created).ThenBy(i => i.Id, StringComparer.Ordinal)
                .Select(i => new SnapshotIssue(i.Key, i.Project.Key, i.Type.Name, i.Summary, i.ParentKey, i.Labels, [.. i.SubtaskKeys], Reads(i.Key), i.Created))
                .ToList();
            return new SimulatorSnapshot(issues, BulkCreateCalls, LastWriteAt);
        }
    }

    public void Dispose() => Server.Stop();

    private void Map(JiraOperation operation, IRequestBuilder request, Func<IRequestMessage, IResponseMessage> handler, int priority = 10) =>
        Server.Given(request).AtPriority(priority).RespondWith(Response.Create().WithCallback(async message =>
        {
            _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
            var inFlight = Interlocked.Increment(ref _inFlight);
            try
            {
                for (var peak = Volatile.Read(ref _peakInFlight); inFlight > peak; peak = Volatile.Read(ref _peakInFlight))
                {
                    if (Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) == peak)
                    {
                        break;
                    }
                }

                return await AnswerAsync(operation, message, handler).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }));

    private async Task<IResponseMessage> AnswerAsync(JiraOperation operation, IRequestMessage message, Func<IRequestMessage, IResponseMessage> handler)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency).ConfigureAwait(false);
        }

        if (!message.Headers?.ContainsKey("Authorization") ?? true)
        {
            return Json(401, Errors("You are not authenticated. Authentication required to perform this operation."));
        }

        if (_oauth is not null)
        {
            var authorization = message.Headers!["Authorization"].FirstOrDefault() ?? "";
            var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : "";
            if (!_tokens.TryGetValue(token, out var expires) || expires <= DateTimeOffset.UtcNow)
            {
                Interlocked.Increment(ref _expiredTokenCalls);
                return Json(401, Errors("Unauthorized; scope does not match or the token expired."));
            }
        }

        if (_windowClosedUntil > DateTimeOffset.UtcNow)
        {
            Interlocked.Increment(ref _callsWhileClosed);
            return RateLimitedAnswer();
        }

        if (MaxCallsPerSecond > 0 && OverQuota(out var quotaReset))
        {
            Interlocked.Increment(ref _quotaRefusals);
            return RateLimitedAnswer("jira-quota-tenant-based", beta: false, retryAfter: true, quotaReset);
        }

        if (_faults.TryGetValue(operation, out var faults) && faults.TryDequeue(out var fault))
        {
            if (fault.Delay > TimeSpan.Zero)
            {
                await Task.Delay(fault.Delay).ConfigureAwait(false);
            }

            var response = Json(fault.Status, JsonNode.Parse(fault.Body));
            if (fault.RetryAfter is not null)
            {
                response.AddHeader("Retry-After", fault.RetryAfter);
            }

            return response;
        }

        if (operation == JiraOperation.BulkCreate && BulkCreateDelay > TimeSpan.Zero)
        {
            await Task.Delay(BulkCreateDelay).ConfigureAwait(false);
        }

        return handler(message);
    }

    /// <summary>Counts the call in the current 1-second quota window; true when it is one too many.</summary>
    private bool OverQuota(out DateTimeOffset windowEnd)
    {
        lock (_quotaGate)
        {
            var now = DateTimeOffset.UtcNow;
            if (now >= _quotaWindowEnd)
            {
                _quotaWindowEnd = now + TimeSpan.FromSeconds(1);
                _quotaWindowCalls = 0;
            }

            windowEnd = _quotaWindowEnd;
            return ++_quotaWindowCalls > MaxCallsPerSecond;
        }
    }

    private static IRequestBuilder Path(string pattern) =>
        Request.Create().WithPath(new WireMock.Matchers.RegexMatcher($"^(/ex/jira/[^/]+)?{Api}{pattern}$"));

    private ResponseMessage RateLimitedAnswer()
    {
        var (reason, beta, retryAfter) = _window;
        return RateLimitedAnswer(reason, beta, retryAfter, _windowClosedUntil);
    }

    private ResponseMessage RateLimitedAnswer(string reason, bool beta, bool retryAfter, DateTimeOffset until)
    {
        Interlocked.Increment(ref _throttledAnswers);
        var response = Json(429, Errors("Rate limit exceeded."));
        var prefix = beta ? "X-Beta-" : "X-";
        response.AddHeader($"{prefix}RateLimit-Reset", until.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        response.AddHeader(beta ? "X-Beta-RateLimit-Reason" : "RateLimit-Reason", reason);
        response.AddHeader($"{prefix}RateLimit-NearLimit", "true");
        if (retryAfter)
        {
            response.AddHeader("Retry-After", Math.Max(1, (int)Math.Ceiling((until - DateTimeOffset.UtcNow).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    private IResponseMessage IssueToken(IRequestMessage request)
    {
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(request.Body ?? "");
        }
        catch (JsonException)
        {
            body = null;
        }

        if (_oauth is not { } oauth || body?["grant_type"]?.GetValue<string>() != "client_credentials"
            || body["client_id"]?.GetValue<string>() != oauth.ClientId || body["client_secret"]?.GetValue<string>() != oauth.Secret)
        {
            return Json(401, new JsonObject { ["error"] = "access_denied", ["error_description"] = "Unauthorized" });
        }

        var token = "sim-" + Guid.NewGuid().ToString("N");
        _tokens[token] = DateTimeOffset.UtcNow + oauth.Lifetime;
        Interlocked.Increment(ref _tokensIssued);
        return Json(200, new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)Math.Ceiling(oauth.Lifetime.TotalSeconds),
            ["scope"] = "read:jira-work write:jira-work",
        });
    }

    private IResponseMessage GetProject(IRequestMessage request)
    {
        var idOrKey = Uri.UnescapeDataString(request.Path.Split('/')[^1]);
        lock (_gate)
        {
            var project = _projects.Values.FirstOrDefault(p => p.Key == idOrKey || p.Id == idOrKey);
            return project is null || project.HiddenFromBot
                ? Json(404, Errors($"No project could be found with key '{idOrKey}'."))
                : Json(200, new JsonObject { ["id"] = project.Id, ["key"] = project.Key, ["name"] = project.Name, ["projectTypeKey"] = "software" });
        }
    }

    private IResponseMessage CreateMetaFields(IRequestMessage request)
    {
        var segments = request.Path.Split('/');
        var projectIdOrKey = Uri.UnescapeDataString(segments[^3]);
        var typeId = Uri.UnescapeDataString(segments[^1]);
        lock (_gate)
        {
            var project = _projects.Values.FirstOrDefault(p => p.Key == projectIdOrKey || p.Id == projectIdOrKey);
            if (project is null || project.HiddenFromBot || project.IssueTypes.All(t => t.Id != typeId))
            {
                return Json(400, Errors("The issue type selected is invalid."));
            }

            var fields = new JsonArray();
            foreach (var field in project.CreateScreen.Order(StringComparer.Ordinal))
            {
                fields.Add(new JsonObject { ["fieldId"] = field, ["key"] = field, ["name"] = field, ["required"] = field is "summary" or "parent" or "project" or "issuetype" });
            }

            return Json(200, new JsonObject { ["startAt"] = 0, ["maxResults"] = 50, ["total"] = fields.Count, ["fields"] = fields });
        }
    }

    private IResponseMessage Myself(IRequestMessage request) => Json(200, new JsonObject
    {
        ["self"] = $"{Url}{Api}/user?accountId={BotAccountId}",
        ["accountId"] = BotAccountId,
        ["accountType"] = "atlassian",
        ["emailAddress"] = "compliance-bot@example.com",
        ["displayName"] = "MedTech Compliance Bot",
        ["active"] = true,
        ["timeZone"] = "Etc/UTC",
    });

    private IResponseMessage GetIssue(IRequestMessage request)
    {
        var idOrKey = Uri.UnescapeDataString(request.Path.Split('/')[^1]);
        lock (_gate)
        {
            var issue = Find(idOrKey);
            if (issue is null || issue.Project.HiddenFromBot)
            {
                return Json(404, Errors("Issue does not exist or you do not have permission to see it."));
            }

            _reads.AddOrUpdate(issue.Key, 1, (_, n) => n + 1);
            var json = IssueJson(issue, withFields: true);

            // Like Jira: ?properties=a,b returns those issue properties with the issue ("properties": {} when none is set).
            if (request.Query is { } query && query.TryGetValue("properties", out var wanted))
            {
                var properties = new JsonObject();
                foreach (var name in wanted.SelectMany(w => w.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                {
                    if (issue.Properties.TryGetValue(name, out var value))
                    {
                        properties[name] = JsonNode.Parse(value);
                    }
                }

                json["properties"] = properties;
            }

            return Json(200, json);
        }
    }

    private IResponseMessage GetProperty(IRequestMessage request)
    {
        var segments = request.Path.Split('/');
        var (idOrKey, propertyKey) = (Uri.UnescapeDataString(segments[^3]), Uri.UnescapeDataString(segments[^1]));
        lock (_gate)
        {
            var issue = Find(idOrKey);
            if (issue is null)
            {
                return Json(404, Errors("Issue does not exist or you do not have permission to see it."));
            }

            return issue.Properties.TryGetValue(propertyKey, out var value)
                ? Json(200, new JsonObject { ["key"] = propertyKey, ["value"] = JsonNode.Parse(value) })
                : Json(404, Errors($"The property with key '{propertyKey}' does not exist."));
        }
    }

    private IResponseMessage SetProperty(IRequestMessage request)
    {
        var segments = request.Path.Split('/');
        var (idOrKey, propertyKey) = (Uri.UnescapeDataString(segments[^3]), Uri.UnescapeDataString(segments[^1]));
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(request.Body ?? "");
        }
        catch (JsonException)
        {
            return Json(400, Errors("The property value is not valid JSON."));
        }

        lock (_gate)
        {
            var issue = Find(idOrKey);
            if (issue is null)
            {
                return Json(404, Errors("Issue does not exist or you do not have permission to see it."));
            }

            var created = !issue.Properties.ContainsKey(propertyKey);
            issue.Properties[propertyKey] = value?.ToJsonString() ?? "null";
            return Json(created ? 201 : 200, null);
        }
    }

    private IResponseMessage EditFromRequest(IRequestMessage request)
    {
        var key = Uri.UnescapeDataString(request.Path.Split('/')[^1]);
        var body = JsonNode.Parse(request.Body ?? "{}");
        lock (_gate)
        {
            if (!_issues.ContainsKey(key))
            {
                return Json(404, Errors("Issue does not exist."));
            }

            var items = Edit(key, body?["summary"]?.GetValue<string>(), body?["description"]?.GetValue<string>());
            if (body?["status"]?.GetValue<string>() is { } status)
            {
                items.Add(UpdateWebhook.Item("status", "To Do", status));
            }

            var webhook = JsonNode.Parse(UpdateWebhook.Build(_issues[key], items));
            return Json(200, webhook);
        }
    }

    private static JsonObject ChangeItem(string field, string? from, string? to) => UpdateWebhook.Item(field, from, to);

    private IResponseMessage CreateMeta(IRequestMessage request)
    {
        var projectIdOrKey = Uri.UnescapeDataString(request.Path.Split('/')[^2]);
        lock (_gate)
        {
            var project = _projects.Values.FirstOrDefault(p => p.Key == projectIdOrKey || p.Id == projectIdOrKey);
            if (project is null || project.HiddenFromBot)
            {
                return Json(404, Errors($"No project could be found with key '{projectIdOrKey}'."));
            }

            var types = new JsonArray();
            foreach (var type in project.IssueTypes)
            {
                types.Add(TypeJson(type));
            }

            return Json(200, new JsonObject
            {
                ["maxResults"] = 50,
                ["startAt"] = 0,
                ["total"] = project.IssueTypes.Count,
                ["issueTypes"] = types,
            });
        }
    }

    private IResponseMessage BulkCreate(IRequestMessage request)
    {
        Interlocked.Increment(ref _bulkCreateCalls);
        var body = request.Body ?? "";
        _bulkBodies.Enqueue(body);
        JsonArray? updates;
        try
        {
            updates = JsonNode.Parse(body)?["issueUpdates"] as JsonArray;
        }
        catch (JsonException)
        {
            return Json(400, Errors("Unexpected character in the request body."));
        }

        if (updates is null)
        {
            return Json(400, Errors("issueUpdates is required."));
        }

        if (updates.Count > 50)
        {
            return Json(400, Errors("Too many issues in one request: the maximum is 50."));
        }

        OnBulkCreate?.Invoke([.. updates.Select(u => u?["fields"]?["parent"]?["key"]?.GetValue<string>() ?? "")]);

        if (PerIssueWriteLimit > 0 && OverPerIssueLimit([.. updates.Select(u => u?["fields"]?["parent"]?["key"]?.GetValue<string>() ?? "")]))
        {
            Interlocked.Increment(ref _perIssueRefusals);
            var limited = Json(429, Errors("Too many writes to this issue."));
            limited.AddHeader("RateLimit-Reason", "jira-per-issue-on-write");
            limited.AddHeader("Retry-After", "2");
            return limited;
        }

        var created = new JsonArray();
        var errors = new JsonArray();
        lock (_gate)
        {
            for (var i = 0; i < updates.Count; i++)
            {
                var fields = updates[i]?["fields"] as JsonObject;
                var fieldErrors = Validate(fields, out var project, out var parent, out var type);
                if (fieldErrors.Count > 0)
                {
                    errors.Add(new JsonObject
                    {
                        ["status"] = 400,
                        ["elementErrors"] = new JsonObject { ["errorMessages"] = new JsonArray(), ["errors"] = fieldErrors },
                        ["failedElementNumber"] = i,
                    });
                    continue;
                }

                var labels = (fields!["labels"] as JsonArray)?.Select(l => l!.GetValue<string>()).ToList() ?? [];
                var issue = Store(project!, type!, null, null, fields["summary"]!.GetValue<string>(), fields["description"]?.DeepClone(), parent!.Key, labels, BotAccountId);
                created.Add(new JsonObject { ["id"] = issue.Id, ["key"] = issue.Key, ["self"] = $"{Url}{Api}/issue/{issue.Id}" });
            }
        }

        Interlocked.Exchange(ref _lastWriteTicks, DateTimeOffset.UtcNow.UtcTicks);
        return Json(created.Count > 0 ? 201 : 400, new JsonObject { ["issues"] = created, ["errors"] = errors });
    }

    private bool OverPerIssueLimit(IReadOnlyList<string> parents)
    {
        lock (_writesByParent)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var group in parents.GroupBy(p => p, StringComparer.Ordinal))
            {
                var writes = _writesByParent.TryGetValue(group.Key, out var q) ? q : _writesByParent[group.Key] = new Queue<DateTimeOffset>();
                while (writes.TryPeek(out var at) && now - at > TimeSpan.FromSeconds(2))
                {
                    writes.Dequeue();
                }

                if (writes.Count + group.Count() > PerIssueWriteLimit)
                {
                    return true;
                }
            }

            foreach (var parent in parents)
            {
                _writesByParent[parent].Enqueue(now);
            }

            return false;
        }
    }

    private JsonObject Validate(JsonObject? fields, out SimulatedProject? project, out SimulatedIssue? parent, out IssueType? type)
    {
        var errors = new JsonObject();
        project = null;
        parent = null;
        type = null;
        if (fields is null)
        {
            errors["fields"] = "Field 'fields' is required.";
            return errors;
        }

        var projectRef = fields["project"];
        var projectKey = projectRef?["key"]?.GetValue<string>();
        var projectId = projectRef?["id"]?.GetValue<string>();
        project = _projects.Values.FirstOrDefault(p => p.Key == projectKey || p.Id == projectId);
        if (project is null)
        {
            errors["project"] = "Specify a valid project ID or key";
            return errors;
        }

        var typeId = fields["issuetype"]?["id"]?.GetValue<string>();
        type = project.IssueTypes.FirstOrDefault(t => t.Id == typeId);
        if (type is null)
        {
            errors["issuetype"] = "Specify a valid issue type";
        }

        var parentKey = fields["parent"]?["key"]?.GetValue<string>() ?? fields["parent"]?["id"]?.GetValue<string>();
        parent = parentKey is null ? null : Find(parentKey);
        if (type is { Subtask: true } && (parent is null || parent.Type.Subtask || parent.Project != project))
        {
            errors["parent"] = "Given parent issue does not belong to appropriate hierarchy.";
        }
        else if (type is { Subtask: false })
        {
            errors["issuetype"] = "The tracker creates sub-tasks only; this simulator refuses other types.";
        }

        foreach (var (name, _) in fields)
        {
            if (!project.CreateScreen.Contains(name))
            {
                errors[name] = $"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.";
            }
        }

        var summary = fields["summary"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(summary))
        {
            errors["summary"] = "You must specify a summary of the issue.";
        }
        else if (summary.Length > 255 || summary.Contains('\n', StringComparison.Ordinal))
        {
            errors["summary"] = "Summary must be less than 255 characters and a single line.";
        }

        if (fields["description"] is { } description && (description is not JsonObject adf || adf["type"]?.GetValue<string>() != "doc"))
        {
            errors["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format).";
        }

        if (fields["labels"] is JsonArray labels && labels.Any(l => l is null || l.GetValue<string>().Contains(' ', StringComparison.Ordinal)))
        {
            errors["labels"] = "The label contains a space: labels cannot contain spaces.";
        }

        return errors;
    }

    private IResponseMessage Search(IRequestMessage request)
    {
        var body = JsonNode.Parse(request.Body ?? "{}") ?? new JsonObject();
        var jql = body["jql"]?.GetValue<string>() ?? "";
        var maxResults = Math.Clamp(body["maxResults"]?.GetValue<int>() ?? 50, 1, 5000);
        var offset = body["nextPageToken"]?.GetValue<string>() is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var wantFields = body["fields"] is JsonArray f && f.Count > 0;
        lock (_gate)
        {
            var indexedBefore = DateTimeOffset.UtcNow - SearchLag;
            var matching = Filter(jql).Where(i => i.Created <= indexedBefore).ToList();
            var page = matching.Skip(offset).Take(maxResults).ToList();
            var issues = new JsonArray();
            foreach (var issue in page)
            {
                issues.Add(IssueJson(issue, wantFields, indexedBefore));
            }

            var result = new JsonObject { ["issues"] = issues, ["isLast"] = offset + page.Count >= matching.Count };
            if (offset + page.Count < matching.Count)
            {
                result["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return Json(200, result);
        }
    }

    private IResponseMessage Count(IRequestMessage request)
    {
        var jql = JsonNode.Parse(request.Body ?? "{}")?["jql"]?.GetValue<string>() ?? "";
        lock (_gate)
        {
            return Json(200, new JsonObject { ["count"] = Filter(jql).Count });
        }
    }

    private IResponseMessage Projects(IRequestMessage request)
    {
        var startAt = request.Query?.TryGetValue("startAt", out var s) == true && int.TryParse(s[0], out var sv) ? sv : 0;
        var maxResults = request.Query?.TryGetValue("maxResults", out var m) == true && int.TryParse(m[0], out var mv) ? mv : 50;
        lock (_gate)
        {
            var all = _projects.Values.Where(p => !p.HiddenFromBot).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
            var values = new JsonArray();
            foreach (var project in all.Skip(startAt).Take(maxResults))
            {
                values.Add(new JsonObject
                {
                    ["self"] = $"{Url}{Api}/project/{project.Id}",
                    ["id"] = project.Id,
                    ["key"] = project.Key,
                    ["name"] = project.Name,
                    ["projectTypeKey"] = "software",
                    ["simplified"] = false,
                    ["style"] = "classic",
                });
            }

            return Json(200, new JsonObject
            {
                ["startAt"] = startAt,
                ["maxResults"] = maxResults,
                ["total"] = all.Count,
                ["isLast"] = startAt + maxResults >= all.Count,
                ["values"] = values,
            });
        }
    }

    /// <summary>Understands the JQL the tracker writes: <c>project = KEY</c>, sub-task exclusion, <c>created &gt;= "…"</c>.</summary>
    private List<SimulatedIssue> Filter(string jql)
    {
        var project = ProjectClause().Match(jql) is { Success: true } pm ? pm.Groups[1].Value : null;
        var noSubtasks = jql.Contains("subTaskIssueTypes()", StringComparison.OrdinalIgnoreCase) || jql.Contains("standardIssueTypes()", StringComparison.OrdinalIgnoreCase);
        DateTimeOffset? createdAfter = CreatedClause().Match(jql) is { Success: true } cm && DateTimeOffset.TryParse(cm.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var after) ? after : null;
        return [.. _issues.Values
            .Where(i => project is null || string.Equals(i.Project.Key, project, StringComparison.OrdinalIgnoreCase))
            .Where(i => !noSubtasks || !i.Type.Subtask)
            .Where(i => createdAfter is null || i.Created >= createdAfter)
            .OrderBy(i => i.Created).ThenBy(i => int.Parse(i.Id, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private SimulatedIssue Store(SimulatedProject project, IssueType type, string? key, string? id, string summary, JsonNode? description, string? parentKey, IReadOnlyList<string> labels, string? createdBy, DateTimeOffset? created = null)
    {
        id ??= NextId();
        if (key is null)
        {
            key = $"{project.Key}-{project.NextNumber}";
        }

        if (int.TryParse(key[(key.LastIndexOf('-') + 1)..], out var number) && number >= project.NextNumber)
        {
            project.NextNumber = number + 1;
        }

        if (int.TryParse(id, out var numericId) && numericId >= _nextId)
        {
            _nextId = numericId + 1;
        }

        var issue = new SimulatedIssue
        {
            Id = id,
            Key = key,
            Project = project,
            Type = type,
            Summary = summary,
            Description = description,
            ParentKey = parentKey,
            Labels = labels,
            Created = created ?? DateTimeOffset.UtcNow,
            CreatedByAccountId = createdBy,
        };
        _issues[key] = issue;
        _keyById[id] = key;
        if (parentKey is not null && _issues.TryGetValue(parentKey, out var parent) && !parent.SubtaskKeys.Contains(key))
        {
            parent.SubtaskKeys.Add(key);
        }

        return issue;
    }

    private SimulatedIssue? Find(string idOrKey) =>
        _issues.TryGetValue(idOrKey, out var byKey) ? byKey
        : _keyById.TryGetValue(idOrKey, out var key) && _issues.TryGetValue(key, out var byId) ? byId
        : null;

    private string NextId() => (_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private JsonObject IssueJson(SimulatedIssue issue, bool withFields, DateTimeOffset? indexedBefore = null)
    {
        var json = new JsonObject { ["id"] = issue.Id, ["key"] = issue.Key, ["self"] = $"{Url}{Api}/issue/{issue.Id}" };
        if (!withFields)
        {
            return json;
        }

        var subtasks = new JsonArray();
        foreach (var sub in issue.SubtaskKeys.Select(k => _issues[k]).Where(k => indexedBefore is null || k.Created <= indexedBefore))
        {
            subtasks.Add(new JsonObject
            {
                ["id"] = sub.Id,
                ["key"] = sub.Key,
                ["self"] = $"{Url}{Api}/issue/{sub.Id}",
                ["fields"] = new JsonObject
                {
                    ["summary"] = sub.Summary,
                    ["status"] = new JsonObject { ["name"] = "To Do", ["statusCategory"] = new JsonObject { ["key"] = "new" } },
                    ["priority"] = new JsonObject { ["name"] = "Medium" },
                    ["issuetype"] = TypeJson(sub.Type),
                },
            });
        }

        var fields = new JsonObject
        {
            ["summary"] = issue.Summary,
            ["description"] = issue.Description?.DeepClone(),
            ["issuetype"] = TypeJson(issue.Type),
            ["project"] = new JsonObject { ["id"] = issue.Project.Id, ["key"] = issue.Project.Key, ["name"] = issue.Project.Name },
            ["labels"] = new JsonArray([.. issue.Labels.Select(l => (JsonNode?)JsonValue.Create(l))]),
            ["subtasks"] = subtasks,
            ["created"] = issue.Created.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzz00", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (issue.ParentKey is not null && _issues.TryGetValue(issue.ParentKey, out var parent))
        {
            fields["parent"] = new JsonObject
            {
                ["id"] = parent.Id,
                ["key"] = parent.Key,
                ["fields"] = new JsonObject { ["summary"] = parent.Summary, ["issuetype"] = TypeJson(parent.Type) },
            };
        }

        json["fields"] = fields;
        return json;
    }

    private static JsonObject TypeJson(IssueType type) => new()
    {
        ["id"] = type.Id,
        ["name"] = type.Name,
        ["subtask"] = type.Subtask,
        ["hierarchyLevel"] = type.HierarchyLevel,
    };

    private static JsonObject Errors(string message) => new() { ["errorMessages"] = new JsonArray(message), ["errors"] = new JsonObject() };

    private static ResponseMessage Json(int status, JsonNode? body)
    {
        var response = new ResponseMessage { StatusCode = status };
        response.AddHeader("Content-Type", "application/json");
        if (body is not null)
        {
            response.BodyData = new BodyData
            {
                BodyAsString = body.ToJsonString(),
                DetectedBodyType = BodyType.String,
                Encoding = Encoding.UTF8,
            };
        }

        return response;
    }

    [GeneratedRegex("""project\s*=\s*"?([A-Za-z0-9_]+)"?""", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectClause();

    [GeneratedRegex("created\\s*>=?\\s*\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex CreatedClause();
}
