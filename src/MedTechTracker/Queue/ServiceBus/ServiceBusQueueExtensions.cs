using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Queue.ServiceBus;

public static class ServiceBusQueueExtensions
{
    /// <summary>
    /// The work queue and its dead letters on Azure Service Bus through Azure.Messaging.ServiceBus: a connection string
    /// (Queue:ServiceBus:ConnectionString) or a namespace with DefaultAzureCredential (Queue:ServiceBus:Namespace).
    /// </summary>
    public static IHostApplicationBuilder AddServiceBusQueue(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServiceBusOptions>().BindConfiguration(ServiceBusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => CreateClient(sp.GetRequiredService<IOptions<ServiceBusOptions>>().Value));
        builder.Services.AddSingleton<ServiceBusWorkQueue>();
        builder.Services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<ServiceBusWorkQueue>());
        builder.Services.AddSingleton<IDeadLetterQueue, ServiceBusDeadLetterQueue>();
        return builder;
    }

    internal static ServiceBusClient CreateClient(ServiceBusOptions options)
    {
        var clientOptions = new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { TryTimeout = options.TryTimeout, MaxRetries = options.MaxRetries },
        };
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new ServiceBusClient(options.ConnectionString, clientOptions);
        }

        var ns = options.Namespace!.Trim();
        if (Uri.TryCreate(ns, UriKind.Absolute, out var uri))
        {
            ns = uri.Host;
        }

        return new ServiceBusClient(ns, new DefaultAzureCredential(), clientOptions);
    }
}
