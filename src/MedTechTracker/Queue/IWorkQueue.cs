namespace MedTechTracker.Queue;

/// <summary>
/// The work queue port: durable, peek-lock, duplicate detection by message id.
/// Adapters: embedded SQLite (default), Azure Service Bus / generic AMQP 1.0.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Returns only once the message is durable (or recognised as a duplicate).</summary>
    Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken);

    /// <summary>Leases the next available message, waiting up to <paramref name="maxWait"/>; null when none arrived.</summary>
    Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="maxMessages"/> available messages, waiting up to <paramref name="maxWait"/> for the
    /// first; empty when none arrived. An adapter that can lease several at once overrides this (the embedded queue: one
    /// transaction, distinct issues; Service Bus without sessions: one receive); the default leases one.
    /// </summary>
    async Task<IReadOnlyList<LeasedMessage>> ReceiveBatchAsync(int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken) =>
        await ReceiveAsync(maxWait, cancellationToken).ConfigureAwait(false) is { } message ? [message] : [];

    Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken);

    /// <summary>Gives the message back for a later retry with back-off; past the maximum delivery count it is dead-lettered.</summary>
    Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken);

    /// <summary>Puts the message back without counting a delivery, invisible until <paramref name="visibleAt"/> (Jira closed a rate window: not the message's fault).</summary>
    Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken);

    Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken);

    /// <summary>Extends the lease of a message still being worked on; returns the new expiry.</summary>
    Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken);

    Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken);
}
