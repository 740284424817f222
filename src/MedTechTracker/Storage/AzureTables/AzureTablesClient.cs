using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Storage.AzureTables;

/// <summary>The two tables, created on first use.</summary>
internal sealed class AzureTablesClient
{
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created;

    public AzureTablesClient(IOptions<AzureTablesStoreOptions> options)
        : this(Create(options.Value), options.Value.TablePrefix)
    {
    }

    public AzureTablesClient(TableServiceClient service, string tablePrefix)
    {
        Projects = service.GetTableClient(tablePrefix + "projects");
        Backfills = service.GetTableClient(tablePrefix + "backfills");
    }

    public TableClient Projects { get; }

    public TableClient Backfills { get; }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _createLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await Projects.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                await Backfills.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                _created = true;
            }
        }
        finally
        {
            _createLock.Release();
        }
    }

    private static TableServiceClient Create(AzureTablesStoreOptions options) =>
        !string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new TableServiceClient(options.ConnectionString)
            : new TableServiceClient(new Uri(options.Endpoint!), new DefaultAzureCredential());
}
