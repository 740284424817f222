using Azure;
using Azure.Data.Tables;

namespace MedTechTracker.Storage.AzureTables;

/// <summary>
/// Backfill jobs in Azure Table Storage, one entity per job. Updates are conditional on the entity's ETag
/// (If-Match): a writer that lost the race gets null and re-reads (BackfillStoreExtensions.UpdateAsync).
/// </summary>
internal sealed class AzureTablesBackfillStore(AzureTablesClient tables) : IBackfillStore
{
    private const string Partition = "backfill";

    // A string property holds at most 32K UTF-16 characters.
    private const int MaxString = 32_000;

    public async Task<BackfillJob> CreateAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await tables.Backfills.AddEntityAsync(ToEntity(job), cancellationToken).ConfigureAwait(false);
            return job with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new InvalidOperationException($"Backfill job {job.Id} already exists.", ex);
        }
    }

    public async Task<BackfillJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var response = await tables.Backfills.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToJob(response.Value!) : null;
    }

    public async Task<IReadOnlyList<BackfillJob>> ListAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<BackfillJob>();
        await foreach (var entity in tables.Backfills.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(ToJob(entity));
        }

        return result.OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<BackfillJob?> TryReplaceAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);

        // Without a version the caller asked for an unconditional write.
        var ifMatch = job.ETag is { Length: > 0 } etag ? new ETag(etag) : ETag.All;
        try
        {
            var response = await tables.Backfills.UpdateEntityAsync(ToEntity(job), ifMatch, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return job with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    private static TableEntity ToEntity(BackfillJob job) => new(Partition, job.Id)
    {
        ["ProjectKey"] = job.ProjectKey,
        ["UserJql"] = Truncate(job.UserJql),
        ["CreatedAfter"] = job.CreatedAfter,
        ["DryRun"] = job.DryRun,
        ["Status"] = job.Status.ToString(),
        ["CancelRequested"] = job.CancelRequested,
        ["NextPageToken"] = Truncate(job.NextPageToken),
        ["CheckpointCreated"] = job.CheckpointCreated,
        ["Scanned"] = job.Counters.Scanned,
        ["Matched"] = job.Counters.Matched,
        ["Created"] = job.Counters.Created,
        ["AlreadyPresent"] = job.Counters.AlreadyPresent,
        ["Failed"] = job.Counters.Failed,
        ["EstimatedTotal"] = job.EstimatedTotal,
        ["CreatedAt"] = job.CreatedAt,
        ["UpdatedAt"] = job.UpdatedAt,
        ["StartedAt"] = job.StartedAt,
        ["FinishedAt"] = job.FinishedAt,
        ["Error"] = Truncate(job.Error),
        ["RequestedBy"] = job.RequestedBy,
    };

    private static BackfillJob ToJob(TableEntity entity) => new()
    {
        Id = entity.RowKey,
        ProjectKey = entity.GetString("ProjectKey") ?? "",
        UserJql = entity.GetString("UserJql"),
        CreatedAfter = entity.GetDateTimeOffset("CreatedAfter"),
        DryRun = entity.GetBoolean("DryRun") ?? false,
        Status = Enum.TryParse<BackfillStatus>(entity.GetString("Status"), out var status) ? status : BackfillStatus.Queued,
        CancelRequested = entity.GetBoolean("CancelRequested") ?? false,
        NextPageToken = entity.GetString("NextPageToken"),
        CheckpointCreated = entity.GetDateTimeOffset("CheckpointCreated"),
        Counters = new BackfillCounters(
            entity.GetInt64("Scanned") ?? 0,
            entity.GetInt64("Matched") ?? 0,
            entity.GetInt64("Created") ?? 0,
            entity.GetInt64("AlreadyPresent") ?? 0,
            entity.GetInt64("Failed") ?? 0),
        EstimatedTotal = entity.GetInt64("EstimatedTotal"),
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        StartedAt = entity.GetDateTimeOffset("StartedAt"),
        FinishedAt = entity.GetDateTimeOffset("FinishedAt"),
        Error = entity.GetString("Error"),
        RequestedBy = entity.GetString("RequestedBy"),
        ETag = entity.ETag.ToString(),
    };

    private static string? Truncate(string? value) => value is { Length: > MaxString } ? value[..MaxString] : value;
}
