using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedTechTracker.Rules.Adf;
using MedTechTracker.Rules.Issues;
using MedTechTracker.Rules.Model;
using Microsoft.Extensions.Options;
using static MedTechTracker.Jira.JiraResponses;

namespace MedTechTracker.Jira;

/// <summary>
/// <see cref="IJiraClient"/> over the Refit <see cref="IJiraApi"/>. Parses responses with JsonDocument, maps failures
/// to <see cref="JiraException"/> whose messages name the call, the issue key and Jira's own error text only.
/// </summary>
/// <remarks>The project metadata (create screens, visibility) lives in <see cref="JiraProjectChecks"/>, reading answers in
/// <see cref="JiraResponses"/>; a fresh Refit client per call comes from <see cref="JiraApiFactory"/>.</remarks>
public sealed partial class JiraClient(JiraApiFactory apis, JiraProjectChecks projects, IOptions<JiraOptions> options, TimeProvider timeProvider, ILogger<JiraClient> logger) : IJiraClient, IJiraIssueProperties
{
    public const int MaxBulkItems = 50;

    /// <summary>The issue property the tracker keeps on a parent (its fired-rules record); read with the issue, saving a call.</summary>
    public const string TrackerPropertyKey = "medtech-compliance-tracker";
    private const int ProjectPageSize = 50;
    private const int MaxPages = 10_000;

    private static readonly string[] SearchFields = ["summary", "description", "issuetype", "subtasks", "created"];

    private readonly JiraOptions _options = options.Value;
    private readonly Polly.ResiliencePipeline<List<SubtaskToCreate>> _bulkItems = JiraResilience.BulkItemPipeline<SubtaskToCreate>(options.Value, timeProvider);
    private readonly SemaphoreSlim _projectsLock = new(1, 1);
    private (IReadOnlyList<JiraProject> Projects, DateTimeOffset Expires)? _projects;

    public async Task<string> GetBotAccountIdAsync(CancellationToken cancellationToken)
    {
        const string operation = "GET /myself";
        using var response = await SendAsync(operation, null, ct => apis.Create().GetMyselfAsync(ct), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
        return StringProperty(document.RootElement, "accountId")
            ?? throw new JiraException($"Jira {operation} answered without an accountId.", (int)response.StatusCode, permanent: true);
    }

    public async Task<IssueSnapshot?> GetIssueAsync(string issueKey, CancellationToken cancellationToken)
    {
        const string operation = "GET issue";
        using var response = await SendAsync(operation, issueKey, ct => apis.Create().GetIssueAsync(issueKey, ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, operation, issueKey, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, operation, issueKey, cancellationToken).ConfigureAwait(false);
        try
        {
            return IssuePayloadReader.ReadIssue(document.RootElement);
        }
        catch (IssuePayloadException ex)
        {
            throw new JiraException($"Jira {operation} {issueKey} returned an unreadable issue: {ex.Message}.", (int)response.StatusCode, permanent: true, ex);
        }
    }

    public async Task<JsonNode?> GetIssuePropertyAsync(string issueKey, string propertyKey, CancellationToken cancellationToken)
    {
        const string operation = "GET issue property";
        using var response = await SendAsync(operation, issueKey, ct => apis.Create().GetIssuePropertyAsync(issueKey, propertyKey, ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, operation, issueKey, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, operation, issueKey, cancellationToken).ConfigureAwait(false);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("value", out var value)
            ? JsonNode.Parse(value.GetRawText())
            : null;
    }

    public async Task SetIssuePropertyAsync(string issueKey, string propertyKey, JsonObject value, CancellationToken cancellationToken)
    {
        const string operation = "PUT issue property";
        using var response = await SendAsync(operation, issueKey, ct => apis.Create().SetIssuePropertyAsync(issueKey, propertyKey, value, ct), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, issueKey, cancellationToken).ConfigureAwait(false);
    }

    public Task<SubtaskScreen> GetSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken) =>
        projects.GetSubtaskScreenAsync(projectKey, cancellationToken);

    public Task<bool> IsProjectVisibleAsync(string projectKey, CancellationToken cancellationToken) =>
        projects.IsProjectVisibleAsync(projectKey, cancellationToken);

    public async Task<BulkCreateResult> CreateSubtasksAsync(IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken)
    {
        var created = new List<CreatedSubtask>();
        var failed = new List<FailedSubtask>();
        for (var offset = 0; offset < items.Count; offset += MaxBulkItems)
        {
            var chunk = items.Skip(offset).Take(MaxBulkItems).ToList();
            await CreateChunkAsync(chunk, created, failed, cancellationToken).ConfigureAwait(false);
        }

        return new BulkCreateResult(created, failed);
    }

    /// <summary>
    /// Items Jira reports as transiently failed (per-item 429/5xx in its answer) were not created, so just those are sent
    /// again by <see cref="JiraResilience.BulkItemPipeline"/>; what still fails after the last round is reported as transient.
    /// </summary>
    private async Task CreateChunkAsync(List<SubtaskToCreate> chunk, List<CreatedSubtask> created, List<FailedSubtask> failed, CancellationToken cancellationToken)
    {
        var pending = chunk;
        var lastErrors = new Dictionary<SubtaskToCreate, (int Status, string Text)>(ReferenceEqualityComparer.Instance);
        var left = await _bulkItems.ExecuteAsync(async ct =>
        {
            pending = await SendChunkAsync(pending, created, failed, lastErrors, ct).ConfigureAwait(false);
            return pending;
        }, cancellationToken).ConfigureAwait(false);

        foreach (var item in left)
        {
            var (status, text) = lastErrors[item];
            LogItemFailed(logger, item.ParentKey, item.Subtask.RuleId, status);
            failed.Add(new FailedSubtask(item, status, text, Permanent: false));
        }
    }

    /// <summary>One bulk call; returns the items that failed transiently.</summary>
    private async Task<List<SubtaskToCreate>> SendChunkAsync(List<SubtaskToCreate> pending, List<CreatedSubtask> created, List<FailedSubtask> failed, Dictionary<SubtaskToCreate, (int Status, string Text)> lastErrors, CancellationToken cancellationToken)
    {
        const string operation = "POST issue/bulk";
        var subject = ParentsOf(pending);
        var body = BulkBody(pending);
        using var response = await SendAsync(operation, subject, ct => apis.Create().CreateIssuesAsync(body, ct), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.BadRequest)
        {
            throw await ErrorAsync(response, operation, subject, cancellationToken).ConfigureAwait(false);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var outcome = ParseBulkResponse(text, pending.Count);
        if (outcome is null)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new JiraException(Message(operation, subject, (int)response.StatusCode, ErrorText(text)), (int)response.StatusCode, permanent: true);
            }

            // Jira's answer cannot be matched to the items: some may exist now. Transient, so the caller re-reads
            // the parents' sub-tasks (strongly consistent) before creating anything again.
            throw new JiraException($"Jira {operation} {subject} returned an answer that does not match the {pending.Count} items sent; outcome unknown.", (int)response.StatusCode, permanent: false);
        }

        var retry = new List<SubtaskToCreate>();
        var successIndex = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var item = pending[i];
            if (outcome.Errors.TryGetValue(i, out var error))
            {
                if (error.Status is 429 or >= 500)
                {
                    lastErrors[item] = error;
                    retry.Add(item);
                }
                else
                {
                    LogItemFailed(logger, item.ParentKey, item.Subtask.RuleId, error.Status);
                    failed.Add(new FailedSubtask(item, error.Status, error.Text, Permanent: true));
                }
            }
            else
            {
                created.Add(new CreatedSubtask(item, outcome.CreatedKeys[successIndex++]));
            }
        }

        return retry;
    }

    public async Task<SearchPage> SearchAsync(string jql, string? nextPageToken, int maxResults, CancellationToken cancellationToken)
    {
        const string operation = "POST search/jql";
        var body = new JiraSearchRequest(jql, SearchFields, maxResults, string.IsNullOrEmpty(nextPageToken) ? null : nextPageToken);
        using var response = await SendAsync(operation, null, ct => apis.Create().SearchAsync(body, ct), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest && body.NextPageToken is not null)
        {
            var text = ErrorText(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            if (text.Contains("token", StringComparison.OrdinalIgnoreCase))
            {
                throw new JiraException(Message(operation, "(page token)", 400, text), 400, permanent: true) { PageTokenExpired = true };
            }

            throw new JiraException(Message(operation, null, 400, text), 400, permanent: true);
        }

        await EnsureSuccessAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var issues = new List<SearchedIssue>();
        if (ArrayProperty(root, "issues") is { } array)
        {
            foreach (var element in array.EnumerateArray())
            {
                IssueSnapshot issue;
                try
                {
                    issue = IssuePayloadReader.ReadIssue(element);
                }
                catch (IssuePayloadException ex)
                {
                    throw new JiraException($"Jira {operation} returned an unreadable issue: {ex.Message}.", (int)response.StatusCode, permanent: true, ex);
                }

                var createdText = element.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object ? StringProperty(fields, "created") : null;
                issues.Add(new SearchedIssue(issue, ParseJiraDate(createdText) ?? DateTimeOffset.MinValue));
            }
        }

        var isLast = root.TryGetProperty("isLast", out var last) && last.ValueKind == JsonValueKind.True;
        var next = isLast ? null : StringProperty(root, "nextPageToken");
        return new SearchPage(issues, string.IsNullOrEmpty(next) ? null : next);
    }

    public async Task<long> ApproximateCountAsync(string jql, CancellationToken cancellationToken)
    {
        const string operation = "POST search/approximate-count";
        using var response = await SendAsync(operation, null, ct => apis.Create().ApproximateCountAsync(new JiraCountRequest(jql), ct), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("count", out var count) && count.TryGetInt64(out var value)
            ? value
            : throw new JiraException($"Jira {operation} answered without a count.", (int)response.StatusCode, permanent: false);
    }

    public async Task<IReadOnlyList<JiraProject>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        if (_projects is { } cached && cached.Expires > timeProvider.GetUtcNow())
        {
            return cached.Projects;
        }

        await _projectsLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_projects is { } again && again.Expires > timeProvider.GetUtcNow())
            {
                return again.Projects;
            }

            var projects = await FetchProjectsAsync(cancellationToken).ConfigureAwait(false);
            _projects = (projects, timeProvider.GetUtcNow() + _options.ProjectCacheDuration);
            return projects;
        }
        finally
        {
            _projectsLock.Release();
        }
    }

    private async Task<IReadOnlyList<JiraProject>> FetchProjectsAsync(CancellationToken cancellationToken)
    {
        const string operation = "GET project/search";
        var projects = new List<JiraProject>();
        var startAt = 0;
        for (var page = 0; page < MaxPages; page++)
        {
            var start = startAt;
            using var response = await SendAsync(operation, null, ct => apis.Create().SearchProjectsAsync(start, ProjectPageSize, ct), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
            using var document = await ReadJsonAsync(response, operation, null, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            var count = 0;
            if (ArrayProperty(root, "values") is { } values)
            {
                foreach (var value in values.EnumerateArray())
                {
                    count++;
                    if (StringProperty(value, "key") is { } key)
                    {
                        projects.Add(new JiraProject(StringProperty(value, "id") ?? "", key, StringProperty(value, "name") ?? key));
                    }
                }
            }

            startAt += count;
            var isLast = !root.TryGetProperty("isLast", out var last) || last.ValueKind != JsonValueKind.False;
            var total = IntProperty(root, "total");
            if (count == 0 || (isLast && (total is null || startAt >= total)))
            {
                break;
            }
        }

        return projects;
    }

    private static JsonObject BulkBody(List<SubtaskToCreate> items)
    {
        var updates = new JsonArray();
        foreach (var item in items)
        {
            var labels = new JsonArray();
            foreach (var label in item.Subtask.Labels)
            {
                labels.Add(label);
            }

            var fields = new JsonObject
            {
                ["project"] = new JsonObject { ["key"] = item.ProjectKey },
                ["parent"] = new JsonObject { ["key"] = item.ParentKey },
                ["issuetype"] = new JsonObject { ["id"] = item.IssueTypeId },
                ["summary"] = item.Subtask.Summary,
            };

            // Only fields on the create screen may be set; the summary alone keeps the duplicate check working.
            if (item.WithDescription)
            {
                fields["description"] = item.Subtask.Description.DeepClone();
            }

            if (item.WithLabels)
            {
                fields["labels"] = labels;
            }

            updates.Add(new JsonObject { ["fields"] = fields });
        }

        return new JsonObject { ["issueUpdates"] = updates };
    }

    private sealed record BulkOutcome(IReadOnlyList<string> CreatedKeys, Dictionary<int, (int Status, string Text)> Errors);

    /// <summary>Null when the answer cannot be matched to the items sent.</summary>
    private static BulkOutcome? ParseBulkResponse(string text, int itemCount)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, AdfText.ParseOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var errors = new Dictionary<int, (int, string)>();
            if (ArrayProperty(root, "errors") is { } errorArray)
            {
                foreach (var error in errorArray.EnumerateArray())
                {
                    var index = IntProperty(error, "failedElementNumber");
                    if (index is null || index < 0 || index >= itemCount)
                    {
                        return null;
                    }

                    var status = IntProperty(error, "status") ?? 0;
                    var message = error.TryGetProperty("elementErrors", out var elementErrors) ? ErrorText(elementErrors) : "";
                    errors[index.Value] = (status, message.Length > 0 ? message : $"HTTP {status}");
                }
            }

            var keys = new List<string>();
            if (ArrayProperty(root, "issues") is { } issues)
            {
                foreach (var issue in issues.EnumerateArray())
                {
                    keys.Add(StringProperty(issue, "key") ?? StringProperty(issue, "id") ?? "");
                }
            }

            // Jira lists the created issues in the order of the items that succeeded.
            return keys.Count == itemCount - errors.Count ? new BulkOutcome(keys, errors) : null;
        }
    }

    private static string ParentsOf(List<SubtaskToCreate> items)
    {
        var parents = items.Select(i => i.ParentKey).Distinct(StringComparer.Ordinal).ToList();
        return parents.Count <= 5
            ? "under " + string.Join(", ", parents)
            : $"under {string.Join(", ", parents.Take(5))} and {parents.Count - 5} more";
    }

    /// <summary>Jira's error keys and a sanitised, bounded message (see <see cref="JiraErrorText"/>): never field values or control characters.</summary>
    internal static string ErrorText(string body) => JiraErrorText.FromBody(body);

    private static string ErrorText(JsonElement root) => JiraErrorText.FromJson(root);

    /// <summary>Jira writes offsets without a colon (<c>2024-01-15T10:30:00.000+0100</c>).</summary>
    internal static DateTimeOffset? ParseJiraDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var value = text.Trim();
        if (value.Length > 5 && value[^5] is '+' or '-' && value[^4..].All(char.IsAsciiDigit))
        {
            value = string.Concat(value.AsSpan(0, value.Length - 2), ":", value.AsSpan(value.Length - 2));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jira refused sub-task for rule {RuleId} under {IssueKey} with status {Status}")]
    private static partial void LogItemFailed(ILogger logger, string issueKey, string ruleId, int status);
}
