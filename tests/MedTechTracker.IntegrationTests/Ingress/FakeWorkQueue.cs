using System.Collections.Concurrent;
using MedTechTracker.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.IntegrationTests.Ingress;

/// <summary>Records what the ingress enqueues; detects duplicates by message id like the real adapters; can be made to fail.</summary>
public sealed class FakeWorkQueue : IWorkQueue
{
    private readonly ConcurrentDictionary<string, IssueReference> _byId = new();
    private readonly ConcurrentQueue<IssueReference> _enqueued = new();

    public Exception? FailWith { get; set; }

    public IReadOnlyList<IssueReference> Enqueued => [.. _enqueued];

    public int EnqueueCalls;

    public Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref EnqueueCalls);
        if (FailWith is { } failure)
        {
            return Task.FromException<EnqueueOutcome>(failure);
        }

        if (!_byId.TryAdd(message.MessageId, message))
        {
            return Task.FromResult(EnqueueOutcome.Duplicate);
        }

        _enqueued.Enqueue(message);
        return Task.FromResult(EnqueueOutcome.Enqueued);
    }

    public Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken) =>
        FailWith is { } failure
            ? Task.FromException<QueueStatistics>(failure)
            : Task.FromResult(new QueueStatistics(_enqueued.Count, 0, _enqueued.TryPeek(out var oldest) ? oldest.ReceivedAt : null));

    public Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken) => throw new NotSupportedException("The ingress never receives.");

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();
}
