using MedTechTracker.Jira;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>Jira's project list (every page of /project/search), cached briefly so the admin page does not hammer Jira.</summary>
public sealed class JiraProjectCatalog(IJiraClient jira, IOptions<AdminOptions> options, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<JiraProject>? _cached;
    private DateTimeOffset _expires;

    public async Task<IReadOnlyList<JiraProject>> ListAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } fresh && time.GetUtcNow() < _expires)
        {
            return fresh;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && time.GetUtcNow() < _expires)
            {
                return again;
            }

            _cached = await jira.ListProjectsAsync(cancellationToken).ConfigureAwait(false);
            _expires = time.GetUtcNow() + options.Value.ProjectsCacheDuration;
            return _cached;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<JiraProject?> FindAsync(string key, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.Ordinal));
}
