using MedTechTracker.Queue;
using MedTechTracker.Queue.Sqlite;
using MedTechTracker.Tests.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Tests.Queue;

public sealed class QueueExtensionsTests : IDisposable
{
    private readonly TempDataDirectory _directory = new();

    [Fact]
    public async Task Default_configuration_serves_both_queue_ports_from_one_sqlite_queue_in_the_data_directory()
    {
        using var host = Build([]);
        await host.StartAsync();

        var queue = host.Services.GetRequiredService<IWorkQueue>();

        Assert.IsType<SqliteWorkQueue>(queue);
        Assert.Same(queue, host.Services.GetRequiredService<IDeadLetterQueue>());
        Assert.Same(TimeProvider.System, host.Services.GetRequiredService<TimeProvider>());
        Assert.Equal(Path.Combine(_directory.Path, "queue.db"), ((SqliteWorkQueue)queue).FilePath);
        Assert.Equal(10, host.Services.GetRequiredService<IOptions<QueueOptions>>().Value.MaxDeliveryCount);
        await host.StopAsync();
    }

    [Fact]
    public void Provider_is_read_case_insensitively()
    {
        using var host = Build(new() { ["Queue:Provider"] = "sqlite" });

        Assert.IsType<SqliteWorkQueue>(host.Services.GetRequiredService<IWorkQueue>());
    }

    [Fact]
    public void Unknown_provider_stops_start_up_naming_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { ["Queue:Provider"] = "Kafka" }));

        Assert.Contains("Queue:Provider", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kafka", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Queue:MaxDeliveryCount", "0")]
    [InlineData("Queue:LockDuration", "00:00:00")]
    [InlineData("Queue:BackoffCap", "00:00:01")]
    [InlineData("Queue:SqliteFile", "../elsewhere.db")]
    [InlineData("Data:Directory", "")]
    public async Task Invalid_setting_stops_start_up_naming_the_key(string key, string value)
    {
        using var host = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Data:Directory"] = _directory.Path });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddQueue();
        return builder.Build();
    }
}
