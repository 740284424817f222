using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Queue.Amqp;

public static class AmqpQueueExtensions
{
    /// <summary>
    /// The work queue and dead letters on a generic AMQP 1.0 broker such as RabbitMQ (Queue:Provider=Amqp), over
    /// AMQPNetLite. Settings under "Queue" (see AmqpQueueOptions), validated at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddAmqpQueue(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AmqpQueueOptions>()
            .BindConfiguration(AmqpQueueOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => AmqpQueueSettings.From(sp.GetRequiredService<IOptions<AmqpQueueOptions>>().Value));
        builder.Services.AddSingleton<AmqpConnectionManager>();
        builder.Services.AddSingleton<AmqpWorkQueue>();
        builder.Services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<AmqpWorkQueue>());
        builder.Services.AddSingleton<IDeadLetterQueue, AmqpDeadLetterQueue>();
        return builder;
    }
}
