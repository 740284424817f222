namespace MedTechTracker.Queue;

/// <summary>Inspect and replay dead letters (the <c>deadletter</c> CLI and ops).</summary>
public interface IDeadLetterQueue
{
    Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken);

    Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Puts the message back on the work queue with a fresh delivery count; false when no such dead letter.</summary>
    Task<bool> ReplayAsync(string id, CancellationToken cancellationToken);

    Task<int> ReplayAllAsync(CancellationToken cancellationToken);

    Task<int> PurgeAsync(CancellationToken cancellationToken);
}
