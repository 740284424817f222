namespace MedTechTracker.Queue.Amqp;

/// <summary>Queue:Amqp:* settings (generic AMQP 1.0 broker).</summary>
public sealed class GenericAmqpOptions
{
    /// <summary>amqp[s]://user:password@host:port, e.g. amqp://guest:guest@127.0.0.1:5672.</summary>
    public string? Address { get; set; }

    /// <summary>Prefix of node addresses: RabbitMQ's amqp1_0 plugin wants "/queue/" (declares a durable queue); Artemis and Qpid take bare names ("").</summary>
    public string NodePrefix { get; set; } = "/queue/";
}
