using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using static MedTechTracker.Jira.JiraResponses;

namespace MedTechTracker.Jira;

/// <summary>
/// What the bot knows about each project, cached: its sub-task type and that type's create screen (createmeta), and
/// whether the bot can see the project at all (<c>GET /project/{key}</c>: a 404 there means not visible to the bot).
/// The last answers are kept for /readyz and the admin page.
/// </summary>
public sealed partial class JiraProjectChecks(JiraApiFactory apis, IOptions<JiraOptions> options, TimeProvider time, ILogger<JiraProjectChecks> logger)
{
    private const int MetaPageSize = 50;
    private const int MaxPages = 1000;

    private readonly ConcurrentDictionary<string, (SubtaskScreen Screen, DateTimeOffset Expires)> _screens = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (bool Visible, DateTimeOffset Expires)> _visible = new(StringComparer.OrdinalIgnoreCase);

    // One createmeta read per project at a time: a burst's first messages wait for it instead of all reading it.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _screenReads = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The create screens learned so far, by project.</summary>
    public IReadOnlyList<SubtaskScreen> KnownScreens => [.. _screens.Values.Select(v => v.Screen).OrderBy(s => s.ProjectKey, StringComparer.Ordinal)];

    /// <summary>Projects the bot could not see when last checked.</summary>
    public IReadOnlyList<string> HiddenProjects => [.. _visible.Where(v => !v.Value.Visible).Select(v => v.Key).Order(StringComparer.Ordinal)];

    public async Task<SubtaskScreen> GetSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken)
    {
        if (_screens.TryGetValue(projectKey, out var cached) && cached.Expires > time.GetUtcNow())
        {
            return cached.Screen;
        }

        var gate = _screenReads.GetOrAdd(projectKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _screens.TryGetValue(projectKey, out cached) && cached.Expires > time.GetUtcNow()
                ? cached.Screen
                : await ReadSubtaskScreenAsync(projectKey, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<SubtaskScreen> ReadSubtaskScreenAsync(string projectKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var api = apis.Create();
        var typeId = await FindSubtaskTypeAsync(api, projectKey, cancellationToken).ConfigureAwait(false);
        var fields = typeId is null ? new HashSet<string>() : await ReadFieldsAsync(api, projectKey, typeId, cancellationToken).ConfigureAwait(false);
        var screen = new SubtaskScreen(projectKey, typeId, fields);
        var o = options.Value;

        // A refused project is re-checked soon, so an admin's fix is picked up.
        _screens[projectKey] = (screen, now + (screen.Refusal is null ? o.IssueTypeCacheDuration : o.ProjectCacheDuration));
        if (screen.Refusal is { } refusal)
        {
            LogRefused(logger, projectKey, refusal);
        }
        else if (screen.Lacking.Count > 0)
        {
            LogLacking(logger, projectKey, string.Join(", ", screen.Lacking));
        }

        return screen;
    }

    /// <summary>Whether the bot can browse the project (one cached call per project).</summary>
    public async Task<bool> IsProjectVisibleAsync(string projectKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_visible.TryGetValue(projectKey, out var cached) && cached.Expires > now)
        {
            return cached.Visible;
        }

        const string operation = "GET project";
        var api = apis.Create();
        using var response = await SendAsync(operation, projectKey, ct => api.GetProjectAsync(projectKey, ct), cancellationToken).ConfigureAwait(false);
        bool visible;
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            visible = false;
        }
        else
        {
            await EnsureSuccessAsync(response, operation, projectKey, cancellationToken).ConfigureAwait(false);
            visible = true;
        }

        _visible[projectKey] = (visible, now + options.Value.ProjectCheckCacheDuration);
        return visible;
    }

    private static async Task<string?> FindSubtaskTypeAsync(IJiraApi api, string projectKey, CancellationToken cancellationToken)
    {
        const string operation = "GET createmeta issue types";
        var startAt = 0;
        for (var page = 0; page < MaxPages; page++)
        {
            var start = startAt;
            using var response = await SendAsync(operation, projectKey, ct => api.GetCreateMetaIssueTypesAsync(projectKey, start, MetaPageSize, ct), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, operation, projectKey, cancellationToken).ConfigureAwait(false);
            using var document = await ReadJsonAsync(response, operation, projectKey, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            var types = ArrayProperty(root, "issueTypes") ?? ArrayProperty(root, "values") ?? ArrayProperty(root, "createMetaIssueType");
            var count = 0;
            if (types is { } array)
            {
                foreach (var type in array.EnumerateArray())
                {
                    count++;
                    if (IsSubtaskType(type) && StringProperty(type, "id") is { } id)
                    {
                        return id;
                    }
                }
            }

            startAt += count;
            if (IsLastPage(root, count, startAt))
            {
                break;
            }
        }

        return null;
    }

    private static async Task<HashSet<string>> ReadFieldsAsync(IJiraApi api, string projectKey, string typeId, CancellationToken cancellationToken)
    {
        const string operation = "GET createmeta fields";
        var fields = new HashSet<string>(StringComparer.Ordinal);
        var startAt = 0;
        for (var page = 0; page < MaxPages; page++)
        {
            var start = startAt;
            using var response = await SendAsync(operation, projectKey, ct => api.GetCreateMetaFieldsAsync(projectKey, typeId, start, MetaPageSize, ct), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, operation, projectKey, cancellationToken).ConfigureAwait(false);
            using var document = await ReadJsonAsync(response, operation, projectKey, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            var count = 0;
            if ((ArrayProperty(root, "fields") ?? ArrayProperty(root, "results") ?? ArrayProperty(root, "values")) is { } array)
            {
                foreach (var field in array.EnumerateArray())
                {
                    count++;
                    if ((StringProperty(field, "fieldId") ?? StringProperty(field, "key")) is { } id)
                    {
                        fields.Add(id);
                    }
                }
            }

            startAt += count;
            if (IsLastPage(root, count, startAt))
            {
                break;
            }
        }

        return fields;
    }

    private static bool IsLastPage(JsonElement root, int count, int startAt)
    {
        var total = IntProperty(root, "total");
        var isLast = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("isLast", out var last) && last.ValueKind == JsonValueKind.True;
        return count == 0 || isLast || total is null || startAt >= total;
    }

    private static bool IsSubtaskType(JsonElement type) => type.ValueKind == JsonValueKind.Object
        && ((type.TryGetProperty("subtask", out var subtask) && subtask.ValueKind == JsonValueKind.True)
            || IntProperty(type, "hierarchyLevel") == -1);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jira project {ProjectKey} is refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string projectKey, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jira project {ProjectKey}: the sub-task create screen lacks {Fields}; sub-tasks are created without them")]
    private static partial void LogLacking(ILogger logger, string projectKey, string fields);
}
