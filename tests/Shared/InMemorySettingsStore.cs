using System.Collections.Concurrent;
using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;

namespace MedTechTracker.TestSupport;

/// <summary>The one settings-store fake of both test projects: project settings and admin key epochs in memory; can be made unreachable.</summary>
public sealed class InMemorySettingsStore : ISettingsStore, IAdminSessionEpochs
{
    private readonly ConcurrentDictionary<string, ProjectSettings> _projects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AdminKeyEpoch> _epochs = new(StringComparer.Ordinal);

    /// <summary>What /readyz sees.</summary>
    public bool Reachable { get; set; } = true;

    /// <summary>Reads of a project's settings fail (the store's file or service is gone).</summary>
    public bool Unreadable { get; set; }

    public InMemorySettingsStore With(string projectKey, ProjectMode mode, SafetyClass safetyClass = SafetyClass.C)
    {
        _projects[projectKey] = new ProjectSettings(projectKey, mode, safetyClass, DateTimeOffset.UnixEpoch);
        return this;
    }

    public Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken) =>
        Unreadable ? Task.FromException<ProjectSettings?>(new IOException("The settings store cannot be read."))
        : Task.FromResult(_projects.TryGetValue(projectKey, out var settings) ? settings : null);

    public Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProjectSettings>>([.. _projects.Values.OrderBy(p => p.ProjectKey, StringComparer.Ordinal)]);

    public Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken)
    {
        _projects[settings.ProjectKey] = settings;
        return Task.CompletedTask;
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(Reachable);

    public Task<AdminKeyEpoch?> GetEpochAsync(string keyName, CancellationToken cancellationToken) =>
        Task.FromResult(_epochs.TryGetValue(keyName, out var epoch) ? epoch : null);

    public Task<IReadOnlyList<AdminKeyEpoch>> ListEpochsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AdminKeyEpoch>>([.. _epochs.Values]);

    public Task<AdminKeyEpoch> EnsureEpochAsync(string keyName, string fingerprint, CancellationToken cancellationToken) =>
        Task.FromResult(_epochs.GetOrAdd(keyName, _ => new AdminKeyEpoch(keyName, fingerprint, 0)));

    public Task<AdminKeyEpoch> EndSessionsAsync(string keyName, string fingerprint, CancellationToken cancellationToken) =>
        Task.FromResult(_epochs.AddOrUpdate(keyName, _ => new AdminKeyEpoch(keyName, fingerprint, 1), (_, e) => new AdminKeyEpoch(keyName, fingerprint, e.Epoch + 1)));
}
