using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Queue;

/// <summary>Section "Queue": the work queue, whichever adapter carries it.</summary>
public sealed class QueueOptions : IValidatableObject
{
    public const string Section = "Queue";

    /// <summary>Sqlite (default, a file in Data:Directory), ServiceBus or Amqp.</summary>
    public QueueProvider Provider { get; set; } = QueueProvider.Sqlite;

    [Required(AllowEmptyStrings = false, ErrorMessage = "Queue:Name is required.")]
    public string Name { get; set; } = "jira-issue-created";

    /// <summary>Deliveries after which a message is dead-lettered.</summary>
    [Range(1, 1000, ErrorMessage = "Queue:MaxDeliveryCount must be between 1 and 1000.")]
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>
    /// How long a received message stays invisible to other receivers unless renewed (the worker renews it while it
    /// works). On the embedded queue a killed process's leases are released at once by the next receive of any
    /// process on the host; this duration then matters only for a hung process or a file system without locks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Queue:LockDuration must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Embedded queue: how often a receiver looks for leases held by processes that have ended.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Queue:ReclaimInterval must be between 00:00:00.010 and 00:10:00.")]
    public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a message id is remembered to drop duplicates (Jira redelivers webhooks).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Queue:DuplicateDetectionWindow must be between 00:00:00 and 7.00:00:00.")]
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Back-off after the first abandon; doubles with each delivery up to <see cref="BackoffCap"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Queue:BackoffBase must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Queue:BackoffCap must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Broker adapters: messages the broker may push ahead of the worker (Service Bus PrefetchCount, AMQP link credit).</summary>
    [Range(0, 5000, ErrorMessage = "Queue:Prefetch must be between 0 and 5000.")]
    public int Prefetch { get; set; } = 50;

    /// <summary>The SQLite file of the embedded queue, inside Data:Directory.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Queue:SqliteFile is required.")]
    [RegularExpression(@"^[^/\\]+$", ErrorMessage = "Queue:SqliteFile must be a file name, not a path.")]
    public string SqliteFile { get; set; } = "queue.db";

    /// <summary>How often an idle receiver looks for work another process may have enqueued.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "Queue:PollInterval must be between 00:00:00.001 and 00:01:00.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most enqueues committed in one transaction (group commit).</summary>
    [Range(1, 10_000, ErrorMessage = "Queue:MaxBatchSize must be between 1 and 10000.")]
    public int MaxBatchSize { get; set; } = 512;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BackoffCap < BackoffBase)
        {
            yield return new ValidationResult("Queue:BackoffCap must not be less than Queue:BackoffBase.", [nameof(BackoffCap)]);
        }
    }
}
