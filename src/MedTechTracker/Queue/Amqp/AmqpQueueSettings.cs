namespace MedTechTracker.Queue.Amqp;

/// <summary>Resolved connection and behaviour settings of the generic AMQP 1.0 adapter (tests build these directly).</summary>
internal sealed record AmqpQueueSettings
{
    public required global::Amqp.Address Address { get; init; }
    public required string QueueName { get; init; }
    public string NodePrefix { get; init; } = "";
    public int MaxDeliveryCount { get; init; } = 10;
    public int Prefetch { get; init; } = 50;
    public int Concurrency { get; init; } = 4;

    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a send may take, reconnects included: ingress answers 503 after it so Jira retries later.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Generic brokers hold a delivery while the link lives; this is the nominal lock reported to the worker.</summary>
    public TimeSpan GenericLockDuration { get; init; } = TimeSpan.FromMinutes(5);

    public string WorkAddress => NodePrefix + QueueName;

    /// <summary>The adapter's own dead-letter queue: such brokers drop a rejected message unless an operator set a policy.</summary>
    public string DeadLetterAddress => NodePrefix + QueueName + ".deadletter";

    public static AmqpQueueSettings From(AmqpQueueOptions options)
    {
        var common = new
        {
            options.Name,
            options.MaxDeliveryCount,
            options.Prefetch,
            options.Concurrency,
            options.BackoffBase,
            options.BackoffCap,
        };

        var uri = new Uri(options.Amqp.Address!);
        var (user, password) = SplitUserInfo(uri);
        return new AmqpQueueSettings
        {
            Address = new global::Amqp.Address(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port, user, password, "/", uri.Scheme),
            QueueName = common.Name,
            NodePrefix = options.Amqp.NodePrefix,
            MaxDeliveryCount = common.MaxDeliveryCount,
            Prefetch = common.Prefetch,
            Concurrency = common.Concurrency,
            BackoffBase = common.BackoffBase,
            BackoffCap = common.BackoffCap,
        };
    }

    private static (string? User, string? Password) SplitUserInfo(Uri uri)
    {
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return (null, null);
        }

        var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (Uri.UnescapeDataString(uri.UserInfo), null)
            : (Uri.UnescapeDataString(uri.UserInfo[..colon]), Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]));
    }
}
