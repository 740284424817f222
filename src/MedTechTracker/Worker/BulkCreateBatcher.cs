using MedTechTracker.Jira;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Worker;

/// <summary>
/// Lets the messages in flight share Jira's bulk create (up to <see cref="JiraClient.MaxBulkItems"/> sub-tasks per
/// call), as the backfill does, without giving up exactly-once or per-message settlement: each message still reads its
/// parent fresh and plans alone under its parent's lock, hands its sub-tasks here, and gets back only its own result,
/// so it completes only when its own sub-tasks exist.
/// <para>
/// A batch opens with the first sub-tasks handed in and is sent when it is full, when every message that was in flight
/// at that moment has handed in its sub-tasks or finished without any, or after <see cref="WorkerOptions.BulkCreateLinger"/>,
/// whichever comes first. A lone webhook therefore waits for nothing; a burst fills its calls.
/// </para>
/// </summary>
public sealed partial class BulkCreateBatcher(IJiraClient jira, IOptions<WorkerOptions> options, TimeProvider time, ILogger<BulkCreateBatcher> logger)
{
    private readonly Lock _gate = new();
    private readonly HashSet<Participant> _active = [];
    private readonly TimeSpan _linger = options.Value.BulkCreateLinger;
    private Batch? _open;
    private long _calls;

    /// <summary>Bulk-create calls sent so far (each holds the sub-tasks of one or more messages).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>A message that may hand in sub-tasks. Dispose it when the message is done.</summary>
    public Participant Join()
    {
        var participant = new Participant(this);
        lock (_gate)
        {
            _active.Add(participant);
        }

        return participant;
    }

    /// <summary>Creates the participant's sub-tasks in a shared bulk call; the result holds only its own items.</summary>
    public async Task<BulkCreateResult> CreateAsync(Participant participant, IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        ArgumentNullException.ThrowIfNull(items);
        var entry = new Entry(items, cancellationToken);
        List<Batch> ready = [];
        lock (_gate)
        {
            _active.Remove(participant);
            if (_open is not null && _open.Items + items.Count > JiraClient.MaxBulkItems && _open.Entries.Count > 0)
            {
                ready.Add(Close(_open));
            }

            if (_open is null)
            {
                _open = new Batch([.. _active]);
                var opened = _open;
                opened.Timer = time.CreateTimer(_ => OnLinger(opened), null, _linger, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _open.WaitingFor.Remove(participant);
            }

            _open.Entries.Add(entry);
            _open.Items += items.Count;
            if (_open.Items >= JiraClient.MaxBulkItems || _open.WaitingFor.Count == 0)
            {
                ready.Add(Close(_open));
            }
        }

        foreach (var batch in ready)
        {
            _ = SendAsync(batch);
        }

        return await entry.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Leave(Participant participant)
    {
        Batch? ready = null;
        lock (_gate)
        {
            _active.Remove(participant);
            if (_open is not null && _open.WaitingFor.Remove(participant) && _open.WaitingFor.Count == 0)
            {
                ready = Close(_open);
            }
        }

        if (ready is not null)
        {
            _ = SendAsync(ready);
        }
    }

    private void OnLinger(Batch batch)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_open, batch))
            {
                return;
            }

            Close(batch);
        }

        _ = SendAsync(batch);
    }

    /// <summary>Under the lock: no more entries join this batch.</summary>
    private Batch Close(Batch batch)
    {
        if (ReferenceEquals(_open, batch))
        {
            _open = null;
        }

        batch.Timer?.Dispose();
        return batch;
    }

    private async Task SendAsync(Batch batch)
    {
        // A message whose caller gave up (lease lost, shutdown) is left out: its next delivery plans afresh.
        var entries = batch.Entries.Where(e => !e.CancelIfRequested()).ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var owner = new Dictionary<SubtaskToCreate, Entry>(ReferenceEqualityComparer.Instance);
        foreach (var entry in entries)
        {
            foreach (var item in entry.Items)
            {
                owner[item] = entry;
            }
        }

        try
        {
            Interlocked.Increment(ref _calls);
            LogSending(owner.Count, entries.Count);

            // Not any one message's token: the call is shared, and each message bounds only its own wait.
            var result = await jira.CreateSubtasksAsync([.. owner.Keys], CancellationToken.None).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                entry.Completion.TrySetResult(new BulkCreateResult(
                    [.. result.Created.Where(c => ReferenceEquals(owner.GetValueOrDefault(c.Item), entry))],
                    [.. result.Failed.Where(f => ReferenceEquals(owner.GetValueOrDefault(f.Item), entry))]));
            }
        }
        catch (Exception ex)
        {
            // Each message turns the failure into its own outcome (deferred, abandoned, dead-lettered), as if it had called alone.
            foreach (var entry in entries)
            {
                entry.Completion.TrySetException(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bulk create: {Items} sub-task(s) of {Messages} message(s) in one call")]
    private partial void LogSending(int items, int messages);

    /// <summary>One message's membership; disposing it says the message will hand in nothing (more).</summary>
    public sealed class Participant(BulkCreateBatcher batcher) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                batcher.Leave(this);
            }
        }
    }

    private sealed class Batch(HashSet<Participant> waitingFor)
    {
        public HashSet<Participant> WaitingFor { get; } = waitingFor;

        public List<Entry> Entries { get; } = [];

        public int Items { get; set; }

        public ITimer? Timer { get; set; }
    }

    private sealed class Entry(IReadOnlyList<SubtaskToCreate> items, CancellationToken cancellationToken)
    {
        public IReadOnlyList<SubtaskToCreate> Items { get; } = items;

        public TaskCompletionSource<BulkCreateResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CancelIfRequested() => cancellationToken.IsCancellationRequested && Completion.TrySetCanceled(cancellationToken);
    }
}
