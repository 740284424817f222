using MedTechTracker.Queue;
using MedTechTracker.Queue.ServiceBus;
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

    [Fact]
    public void Service_bus_with_a_connection_string_serves_both_queue_ports_through_the_sdk_without_connecting()
    {
        using var host = Build(new()
        {
            ["Queue:Provider"] = "ServiceBus",
            ["Queue:ServiceBus:ConnectionString"] = "Endpoint=sb://mtc-test.servicebus.windows.net/;SharedAccessKeyName=send-listen;SharedAccessKey=c2VjcmV0",
        });

        Assert.IsType<ServiceBusWorkQueue>(host.Services.GetRequiredService<IWorkQueue>());
        Assert.IsType<ServiceBusDeadLetterQueue>(host.Services.GetRequiredService<IDeadLetterQueue>());
        Assert.Equal("mtc-test.servicebus.windows.net", host.Services.GetRequiredService<Azure.Messaging.ServiceBus.ServiceBusClient>().FullyQualifiedNamespace);
    }

    [Fact]
    public void Service_bus_with_a_namespace_uses_entra_id_for_that_namespace()
    {
        using var host = Build(new()
        {
            ["Queue:Provider"] = "ServiceBus",
            ["Queue:ServiceBus:Namespace"] = "https://mtc-prod.servicebus.windows.net/",
        });

        Assert.Equal("mtc-prod.servicebus.windows.net", host.Services.GetRequiredService<Azure.Messaging.ServiceBus.ServiceBusClient>().FullyQualifiedNamespace);
    }

    [Theory]
    [InlineData(null, null, "Set exactly one of Queue:ServiceBus:ConnectionString or Queue:ServiceBus:Namespace")]
    [InlineData("Endpoint=sb://a.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v", "a.servicebus.windows.net", "Set exactly one of")]
    [InlineData("SharedAccessKeyName=k;SharedAccessKey=v", null, "Queue:ServiceBus:ConnectionString is invalid")]
    [InlineData("Endpoint=sb://a.servicebus.windows.net/", null, "Queue:ServiceBus:ConnectionString is invalid")]
    public async Task Bad_service_bus_settings_stop_start_up_naming_the_keys(string? connectionString, string? ns, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Queue:Provider"] = "ServiceBus", ["Queue:ServiceBus:ConnectionString"] = connectionString, ["Queue:ServiceBus:Namespace"] = ns };
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessKey=v", error.Message, StringComparison.Ordinal);
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
