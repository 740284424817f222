namespace MedTechTracker.Storage.AzureTables;

public static class AzureTablesStoreExtensions
{
    /// <summary>Azure Table Storage adapter for settings and backfill counters. TODO(scaleout): implement.</summary>
    public static IHostApplicationBuilder AddAzureTablesStore(this IHostApplicationBuilder builder) =>
        throw new NotSupportedException("The Azure Tables store adapter is not available in this build.");
}
