using MedTechTracker.Jira;

namespace MedTechTracker.Admin;

/// <summary>Jira's project list for the admin page (every page of /project/search; the Jira client caches it briefly, Jira:ProjectCacheDuration).</summary>
public sealed class JiraProjectCatalog(IJiraClient jira)
{
    public Task<IReadOnlyList<JiraProject>> ListAsync(CancellationToken cancellationToken) => jira.ListProjectsAsync(cancellationToken);

    public async Task<JiraProject?> FindAsync(string key, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.Ordinal));
}
