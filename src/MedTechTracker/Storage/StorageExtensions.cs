using MedTechTracker.Storage.AzureTables;
using MedTechTracker.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Storage;

public static class StorageExtensions
{
    /// <summary>Settings + backfill store, chosen by Store:Provider (Sqlite default, AzureTables).</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.AddDataDirectory();
        builder.Services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        switch (ReadProvider<StoreProvider>(builder.Configuration, "Store:Provider", typeof(StoreOptions)))
        {
            case StoreProvider.Sqlite:
                builder.Services.AddSingleton<SqliteSettingsStore>();
                builder.Services.AddSingleton<SqliteBackfillStore>();
                builder.Services.AddSingleton<ISettingsStore>(sp => sp.GetRequiredService<SqliteSettingsStore>());
                builder.Services.AddSingleton<IAdminSessionEpochs>(sp => sp.GetRequiredService<SqliteSettingsStore>());
                builder.Services.AddSingleton<IBackfillStore>(sp => sp.GetRequiredService<SqliteBackfillStore>());
                break;
            case StoreProvider.AzureTables:
                builder.AddAzureTablesStore();
                break;
        }

        return builder;
    }

    /// <summary>Data:Directory, shared by every embedded adapter; registered once however many adapters ask.</summary>
    public static IHostApplicationBuilder AddDataDirectory(this IHostApplicationBuilder builder)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(DataDirectoryMarker)))
        {
            builder.Services.AddSingleton<DataDirectoryMarker>();
            builder.Services.AddOptions<DataOptions>().BindConfiguration(DataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        }

        return builder;
    }

    /// <summary>
    /// The adapter is chosen while the services are composed, before options are validated, so an unknown
    /// provider is reported here, naming the key, the same way a failed options validation is.
    /// </summary>
    internal static TProvider ReadProvider<TProvider>(IConfiguration configuration, string key, Type optionsType)
        where TProvider : struct, Enum
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return default;
        }

        if (Enum.TryParse<TProvider>(value.Trim(), ignoreCase: true, out var provider) && Enum.IsDefined(provider))
        {
            return provider;
        }

        throw new OptionsValidationException(key, optionsType,
            [$"{key} is '{value}', which is not a known provider; use one of: {string.Join(", ", Enum.GetNames<TProvider>())}."]);
    }

    private sealed class DataDirectoryMarker;
}
