using MedTechTracker.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.IntegrationTests.Ingress;

/// <summary>Stands in for the settings store where only /readyz looks at it.</summary>
public sealed class FakeSettingsStore : ISettingsStore
{
    public bool Reachable { get; set; } = true;

    public Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken) => Task.FromResult<ProjectSettings?>(null);

    public Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ProjectSettings>>([]);

    public Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(Reachable);
}
