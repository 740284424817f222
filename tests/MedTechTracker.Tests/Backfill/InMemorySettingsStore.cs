using System.Collections.Concurrent;
using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Backfill;

internal sealed class InMemorySettingsStore : ISettingsStore
{
    private readonly ConcurrentDictionary<string, ProjectSettings> _settings = new();

    public Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken) => Task.FromResult(_settings.GetValueOrDefault(projectKey));

    public Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ProjectSettings>>([.. _settings.Values]);

    public Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken)
    {
        _settings[settings.ProjectKey] = settings;
        return Task.CompletedTask;
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
