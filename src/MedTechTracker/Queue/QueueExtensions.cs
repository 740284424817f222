using MedTechTracker.Queue.Amqp;
using MedTechTracker.Queue.ServiceBus;
using MedTechTracker.Queue.Sqlite;
using MedTechTracker.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedTechTracker.Queue;

public static class QueueExtensions
{
    /// <summary>Work queue, chosen by Queue:Provider (Sqlite default, ServiceBus, Amqp).</summary>
    public static IHostApplicationBuilder AddQueue(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<QueueOptions>().BindConfiguration(QueueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        switch (StorageExtensions.ReadProvider<QueueProvider>(builder.Configuration, "Queue:Provider", typeof(QueueOptions)))
        {
            case QueueProvider.Sqlite:
                builder.AddDataDirectory();
                builder.Services.AddSingleton<SqliteWorkQueue>();

                // Started as a hosted service, before the worker and the web server; CLI commands only read.
                builder.Services.AddHostedService(sp => sp.GetRequiredService<SqliteWorkQueue>());
                builder.Services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<SqliteWorkQueue>());
                builder.Services.AddSingleton<IDeadLetterQueue>(sp => sp.GetRequiredService<SqliteWorkQueue>());
                break;
            case QueueProvider.ServiceBus:
                builder.AddServiceBusQueue();
                break;
            case QueueProvider.Amqp:
                builder.AddAmqpQueue();
                break;
        }

        return builder;
    }
}
