using System.Collections.Concurrent;
using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Worker;

internal sealed class FakeSettingsStore : ISettingsStore
{
    private readonly ConcurrentDictionary<string, ProjectSettings> _projects = new(StringComparer.Ordinal);

    public FakeSettingsStore With(string projectKey, ProjectMode mode, SafetyClass safetyClass = SafetyClass.C)
    {
        _projects[projectKey] = new ProjectSettings(projectKey, mode, safetyClass, DateTimeOffset.UnixEpoch);
        return this;
    }

    public Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken) =>
        Task.FromResult(_projects.TryGetValue(projectKey, out var settings) ? settings : null);

    public Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProjectSettings>>([.. _projects.Values]);

    public Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken)
    {
        _projects[settings.ProjectKey] = settings;
        return Task.CompletedTask;
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}
