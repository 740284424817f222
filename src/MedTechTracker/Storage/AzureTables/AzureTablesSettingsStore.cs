using Azure;
using Azure.Data.Tables;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Storage.AzureTables;

/// <summary>Project settings in Azure Table Storage: one entity per project key.</summary>
internal sealed class AzureTablesSettingsStore(AzureTablesClient tables) : ISettingsStore, IAdminSessionEpochs
{
    private const string Partition = "project";

    // Admin key epochs live in the projects table under their own partition (no new table, nothing else stored).
    private const string EpochPartition = "admin-key-epoch";

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
            ["OnUpdate"] = settings.OnUpdate,
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

    public async Task<AdminKeyEpoch?> GetEpochAsync(string keyName, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var response = await tables.Projects.GetEntityIfExistsAsync<TableEntity>(EpochPartition, keyName, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToEpoch(response.Value!) : null;
    }

    public async Task<IReadOnlyList<AdminKeyEpoch>> ListEpochsAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<AdminKeyEpoch>();
        await foreach (var entity in tables.Projects.QueryAsync<TableEntity>(e => e.PartitionKey == EpochPartition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(ToEpoch(entity));
        }

        return result;
    }

    public async Task<AdminKeyEpoch> EnsureEpochAsync(string keyName, string fingerprint, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await tables.Projects.AddEntityAsync(EpochEntity(keyName, fingerprint, 0), cancellationToken).ConfigureAwait(false);
            return new AdminKeyEpoch(keyName, fingerprint, 0);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetEpochAsync(keyName, cancellationToken).ConfigureAwait(false))!;
        }
    }

    public async Task<AdminKeyEpoch> EndSessionsAsync(string keyName, string fingerprint, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);

        // Optimistic concurrency: two replicas ending sessions at once both move the epoch on.
        while (true)
        {
            var current = await tables.Projects.GetEntityIfExistsAsync<TableEntity>(EpochPartition, keyName, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                if (!current.HasValue)
                {
                    await tables.Projects.AddEntityAsync(EpochEntity(keyName, fingerprint, 1), cancellationToken).ConfigureAwait(false);
                    return new AdminKeyEpoch(keyName, fingerprint, 1);
                }

                var next = ToEpoch(current.Value!).Epoch + 1;
                await tables.Projects.UpdateEntityAsync(EpochEntity(keyName, fingerprint, next), current.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return new AdminKeyEpoch(keyName, fingerprint, next);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Someone else moved it first: read again and move it once more.
            }
        }
    }

    private static TableEntity EpochEntity(string keyName, string fingerprint, long epoch) => new(EpochPartition, keyName)
    {
        ["Fingerprint"] = fingerprint,
        ["Epoch"] = epoch,
    };

    private static AdminKeyEpoch ToEpoch(TableEntity entity) =>
        new(entity.RowKey, entity.GetString("Fingerprint") ?? "", entity.GetInt64("Epoch") ?? 0);

    private static ProjectSettings ToSettings(TableEntity entity) => new(
        entity.RowKey,
        Enum.TryParse<ProjectMode>(entity.GetString("Mode"), out var mode) ? mode : ProjectMode.Off,
        Enum.TryParse<SafetyClass>(entity.GetString("SafetyClass"), out var safetyClass) ? safetyClass : SafetyClass.C,
        entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        entity.GetString("UpdatedBy"),
        entity.GetBoolean("OnUpdate") ?? true);
}
