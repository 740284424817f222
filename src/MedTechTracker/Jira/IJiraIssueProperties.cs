using System.Text.Json.Nodes;

namespace MedTechTracker.Jira;

/// <summary>
/// Issue properties: small JSON values an app keeps on an issue, invisible in the issue's view and not issue text
/// (<c>/rest/api/3/issue/{key}/properties/{propertyKey}</c>, needs <c>read:jira-work</c> / <c>write:jira-work</c>).
/// Kept apart from <see cref="IJiraClient"/> so that only the worker depends on it.
/// </summary>
public interface IJiraIssueProperties
{
    /// <summary>The property's value; null when the issue has no such property (404).</summary>
    Task<JsonNode?> GetIssuePropertyAsync(string issueKey, string propertyKey, CancellationToken cancellationToken);

    /// <summary>Sets (creates or replaces) the property.</summary>
    Task SetIssuePropertyAsync(string issueKey, string propertyKey, JsonObject value, CancellationToken cancellationToken);
}
