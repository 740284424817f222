namespace MedTechTracker.Storage;

/// <summary>Per-project settings. Adapters: SQLite (default), Azure Table Storage.</summary>
public interface ISettingsStore
{
    /// <summary>The project's settings, or null when it was never configured (which means Off).</summary>
    Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken);

    Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken);

    /// <summary>For /readyz: is the store reachable?</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
