namespace MedTechTracker.Storage.AzureTables;

public static class AzureTablesStoreExtensions
{
    /// <summary>
    /// Settings and backfill counters in Azure Table Storage (Store:Provider=AzureTables): Store:AzureTables:ConnectionString,
    /// or Store:AzureTables:Endpoint with Entra ID. Validated at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddAzureTablesStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AzureTablesStoreOptions>()
            .BindConfiguration(AzureTablesStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AzureTablesClient>();
        builder.Services.AddSingleton<AzureTablesSettingsStore>();
        builder.Services.AddSingleton<ISettingsStore>(sp => sp.GetRequiredService<AzureTablesSettingsStore>());
        builder.Services.AddSingleton<IAdminSessionEpochs>(sp => sp.GetRequiredService<AzureTablesSettingsStore>());
        builder.Services.AddSingleton<IBackfillStore, AzureTablesBackfillStore>();
        return builder;
    }
}
