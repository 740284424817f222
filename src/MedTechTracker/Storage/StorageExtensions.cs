namespace MedTechTracker.Storage;

public static class StorageExtensions
{
    /// <summary>Settings + backfill store, chosen by Store:Provider (Sqlite default, AzureTables). TODO(embedded): implement.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder) => builder;
}
