using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Queue.Amqp;

/// <summary>The "Queue" section as the generic AMQP 1.0 adapter reads it (Queue:Provider = Amqp).</summary>
public sealed class AmqpQueueOptions : IValidatableObject
{
    public const string SectionName = "Queue";

    public string Provider { get; set; } = "Sqlite";

    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$", ErrorMessage = "Queue:Name must be 1-260 letters, digits, '.', '_' or '-'.")]
    public string Name { get; set; } = "jira-issue-created";

    /// <summary>Deliveries before a message is dead-lettered (shared with the SQLite adapter; keep equal to the Service Bus queue's MaxDeliveryCount).</summary>
    [Range(1, 1000)]
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>Link credit: messages the broker may push ahead of the worker.</summary>
    [Range(1, 5000)]
    public int Prefetch { get; set; } = 50;

    /// <summary>With sessions: how many sessions (issue keys) this process locks at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 4;

    /// <summary>Abandoned messages stay locked for a back-off before going back: this after the first delivery, doubling (shared with the SQLite adapter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest abandon back-off (and never longer than what is left of the lock on Service Bus).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(5);

    public GenericAmqpOptions Amqp { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Amqp.Address))
        {
            yield return new ValidationResult("Queue:Amqp:Address is required when Queue:Provider is Amqp (e.g. amqp://guest:guest@127.0.0.1:5672).", ["Amqp.Address"]);
        }
        else if (!Uri.TryCreate(Amqp.Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            yield return new ValidationResult("Queue:Amqp:Address must be an amqp:// or amqps:// URI.", ["Amqp.Address"]);
        }
    }
}
