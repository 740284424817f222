using System.Collections.Concurrent;
using System.Threading.Channels;
using MedTechTracker.Queue;

namespace MedTechTracker.Tests.Worker;

/// <summary>A peek-lock queue in memory that records how every message was settled.</summary>
internal sealed class FakeWorkQueue(TimeSpan lease) : IWorkQueue
{
    private readonly Channel<LeasedMessage> _ready = Channel.CreateUnbounded<LeasedMessage>();

    public ConcurrentQueue<(string Key, string Settlement, string? Reason)> Settled { get; } = new();

    public int Renewals;

    /// <summary>When set, renewing a lease fails as if another receiver had taken the message.</summary>
    public bool LoseLeaseOnRenewal { get; set; }

    public Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        _ready.Writer.TryWrite(new LeasedMessage(message, Guid.NewGuid().ToString("N"), 0, DateTimeOffset.MinValue));
        return Task.FromResult(EnqueueOutcome.Enqueued);
    }

    public async Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(maxWait);
        try
        {
            var next = await _ready.Reader.ReadAsync(wait.Token);
            return next with { DeliveryCount = next.DeliveryCount + 1, LockedUntil = DateTimeOffset.UtcNow + lease };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken) => Settle(message, "complete", null);

    public Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken) => Settle(message, "abandon", reason);

    public Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken) => Settle(message, "defer", reason);

    public Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken) => Settle(message, "deadletter", reason);

    public Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Renewals);
        if (LoseLeaseOnRenewal)
        {
            throw new InvalidOperationException("lease lost");
        }

        return Task.FromResult(DateTimeOffset.UtcNow + lease);
    }

    public Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new QueueStatistics(_ready.Reader.Count, 0, null));

    private Task Settle(LeasedMessage message, string settlement, string? reason)
    {
        Settled.Enqueue((message.Message.IssueKey, settlement, reason));
        return Task.CompletedTask;
    }
}
