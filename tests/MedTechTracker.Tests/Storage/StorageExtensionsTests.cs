using MedTechTracker.Storage;
using MedTechTracker.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Tests.Storage;

public sealed class StorageExtensionsTests : IDisposable
{
    private readonly TempDataDirectory _directory = new();

    [Fact]
    public async Task Default_configuration_keeps_settings_and_backfill_jobs_in_one_sqlite_file_created_in_a_missing_data_directory()
    {
        var dataDirectory = Path.Combine(_directory.Path, "not", "yet");
        using var host = Build(new() { ["Data:Directory"] = dataDirectory });
        await host.StartAsync();

        Assert.IsType<SqliteSettingsStore>(host.Services.GetRequiredService<ISettingsStore>());
        Assert.IsType<SqliteBackfillStore>(host.Services.GetRequiredService<IBackfillStore>());
        Assert.True(await host.Services.GetRequiredService<ISettingsStore>().PingAsync(CancellationToken.None));
        Assert.Equal(["store.db"], Directory.GetFiles(dataDirectory, "*.db").Select(Path.GetFileName));
        await host.StopAsync();
    }

    [Fact]
    public void Unknown_provider_stops_start_up_naming_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { ["Store:Provider"] = "Oracle" }));

        Assert.Contains("Store:Provider", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_name_that_is_a_path_stops_start_up_naming_the_key()
    {
        using var host = Build(new() { ["Store:SqliteFile"] = "/etc/store.db" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Store:SqliteFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_created_stops_start_up_naming_the_key()
    {
        var file = Path.Combine(_directory.Path, "a-file");
        await File.WriteAllTextAsync(file, "");
        using var host = Build(new() { ["Data:Directory"] = Path.Combine(file, "data") });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Data:Directory", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Data:Directory"] = _directory.Path });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddStorage();
        return builder.Build();
    }
}
