using Azure;
using Azure.Data.Tables;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Storage.AzureTables;

/// <summary>Project settings in Azure Table Storage: one entity per project key.</summary>
internal sealed class AzureTablesSettingsStore(AzureTablesClient tables) : ISettingsStore
{
    private const string Partition = "project";

    public async Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var response = await tables.Projects.GetEntityIfExistsAsync<TableEntity>(Partition, projectKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToSettings(response.Value!) : null;
    }

    public async Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ProjectSettings>();
        await foreach (var entity in tables.Projects.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(ToSettings(entity));
        }

        return result.OrderBy(s => s.ProjectKey, StringComparer.Ordinal).ToList();
    }

    public async Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, settings.ProjectKey)
        {
            ["Mode"] = settings.Mode.ToString(),
            ["SafetyClass"] = settings.SafetyClass.ToString(),
            ["UpdatedAt"] = settings.UpdatedAt,
            ["UpdatedBy"] = settings.UpdatedBy,
        };
        await tables.Projects.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await tables.Projects.GetEntityIfExistsAsync<TableEntity>(Partition, "ping", cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException or Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException)
        {
            return false;
        }
    }

    private static ProjectSettings ToSettings(TableEntity entity) => new(
        entity.RowKey,
        Enum.TryParse<ProjectMode>(entity.GetString("Mode"), out var mode) ? mode : ProjectMode.Off,
        Enum.TryParse<SafetyClass>(entity.GetString("SafetyClass"), out var safetyClass) ? safetyClass : SafetyClass.C,
        entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        entity.GetString("UpdatedBy"));
}
