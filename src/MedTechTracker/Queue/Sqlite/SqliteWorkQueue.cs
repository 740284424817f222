using System.Globalization;
using System.Threading.Channels;
using MedTechTracker.Storage;
using MedTechTracker.Storage.Sqlite;
using MedTechTracker.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Queue.Sqlite;

/// <summary>
/// The embedded work queue: one SQLite file (WAL, synchronous=FULL) that ingress and worker processes on one
/// host may share. All coordination (leases, the one-lease-per-issue-key rule, duplicate detection, coalescing of edits
/// onto a message of the same issue that is still waiting) lives in the
/// database; the only in-process state is a wake-up signal and the group-commit writer, neither needed for correctness.
/// </summary>
public sealed partial class SqliteWorkQueue : IWorkQueue, IDeadLetterQueue, IAsyncDisposable, IDisposable
{
    private const int MaxReasonLength = 2000;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SettleBusyTimeout = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SettleRetryDelay = TimeSpan.FromMilliseconds(20);

    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteWorkQueue> _logger;
    private readonly SqliteDatabase _database;
    private readonly SqliteDatabase _settle;
    private readonly SqliteLeaseHolder _holder;
    private readonly Channel<PendingEnqueue> _pending;
    private readonly Task _writer;
    private TaskCompletionSource _available = NewSignal();
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private long _lastReclaimTicks = long.MinValue;
    private int _disposed;
    private long _commits;

    public SqliteWorkQueue(IOptions<QueueOptions> options, IOptions<DataOptions> data, TimeProvider time, ILogger<SqliteWorkQueue> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _database = new SqliteDatabase(data.Value.PathOf(_options.SqliteFile), SqliteQueueSchema.Sql, fullSync: true, busyTimeout: TimeSpan.FromSeconds(30));
        // Leases and settlements commit with synchronous=NORMAL: they need no fsync of their own. In WAL mode the
        // next FULL enqueue commit syncs every earlier frame, and one lost after a power cut only means a redelivery,
        // which the worker's duplicate check (the parent's sub-tasks, read fresh from Jira) makes harmless.
        // Enqueues stay FULL, so "202 means durable" holds, and they no longer queue behind the worker's fsyncs.
        // Their busy wait is short: a busy file is retried by SettleAsync on the injected clock, so the caller's
        // cancellation token bounds the wait instead of a thread blocked for the busy timeout.
        _settle = new SqliteDatabase(data.Value.PathOf(_options.SqliteFile), SqliteQueueSchema.Sql, fullSync: false, busyTimeout: SettleBusyTimeout);

        // Fail at start-up, not on the first webhook, when the file cannot be created or read.
        _database.Open().Dispose();
        _holder = new SqliteLeaseHolder(_database.Path);
        if (!_holder.CanTellLiveness)
        {
            LogNoLiveness();
        }

        _pending = Channel.CreateUnbounded<PendingEnqueue>(new UnboundedChannelOptions { SingleReader = true });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The queue file.</summary>
    public string FilePath => _database.Path;

    /// <summary>Enqueue transactions committed by this instance (group commit puts many messages in one).</summary>
    internal long CommitCount => Interlocked.Read(ref _commits);

    public async Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(message.MessageId);
        ArgumentException.ThrowIfNullOrEmpty(message.IssueKey);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);

        var pending = new PendingEnqueue(message, cancellationToken);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqliteWorkQueue));
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = Volatile.Read(ref _available).Task;
            ReclaimFromStoppedHoldersWhenDue();
            LeasedMessage? leased;
            try
            {
                leased = TryLease();
            }
            catch (SqliteException ex) when (IsBusy(ex))
            {
                // Another process holds the write lock: no lease this round, look again after the poll interval.
                leased = null;
            }

            if (leased is not null)
            {
                return leased;
            }

            var remaining = maxWait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            // Other processes cannot signal us, so poll; our own enqueues and releases wake us at once.
            var wait = remaining < _options.PollInterval ? remaining : _options.PollInterval;
            await Task.WhenAny(signal, Task.Delay(wait, _time, cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var deleted = await SettleAsync(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "DELETE FROM messages WHERE lock_token = $token;";
                command.Parameters.AddWithValue("$token", message.LockToken);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        if (deleted == 0)
        {
            throw LockLost(message);
        }

        Signal();
    }

    public async Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var deadLettered = await SettleAsync(
            connection =>
            {
                using var transaction = connection.BeginTransaction();
                var (seq, deliveryCount) = FindLeased(connection, transaction, message);
                var now = _time.GetUtcNow();
                var toDeadLetters = deliveryCount >= _options.MaxDeliveryCount;
                if (toDeadLetters)
                {
                    MoveToDeadLetters(connection, transaction, seq, $"Maximum delivery count ({_options.MaxDeliveryCount}) reached. Last error: {reason}", now);
                }
                else
                {
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = "UPDATE messages SET lock_token = NULL, visible_at = $visible WHERE seq = $seq;";
                    command.Parameters.AddWithValue("$visible", ToUnixMs(now + Backoff(deliveryCount)));
                    command.Parameters.AddWithValue("$seq", seq);
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
                return toDeadLetters;
            },
            cancellationToken).ConfigureAwait(false);

        if (deadLettered)
        {
            CountQueueDeadLetter();
            LogDeadLettered(message.Message.IssueKey, message.Message.MessageId, message.DeliveryCount);
        }

        // The issue key is free again: a later message of the same issue may now be leased.
        Signal();
    }

    public async Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await SettleAsync(
            connection =>
            {
                using var transaction = connection.BeginTransaction();
                var (seq, _) = FindLeased(connection, transaction, message);
                using var command = connection.CreateCommand();
                command.Transaction = transaction;

                // Receiving counted this delivery: take it back, the message is not at fault.
                command.CommandText = "UPDATE messages SET lock_token = NULL, visible_at = $visible, delivery_count = MAX(delivery_count - 1, 0) WHERE seq = $seq;";
                command.Parameters.AddWithValue("$visible", ToUnixMs(visibleAt));
                command.Parameters.AddWithValue("$seq", seq);
                command.ExecuteNonQuery();
                transaction.Commit();
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        Signal();
    }

    public async Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Like every settlement, without an fsync of its own: lost to a power cut, the message is only delivered
        // again and dead-lettered again.
        await SettleAsync(
            connection =>
            {
                using var transaction = connection.BeginTransaction();
                var (seq, _) = FindLeased(connection, transaction, message);
                MoveToDeadLetters(connection, transaction, seq, reason, _time.GetUtcNow());
                transaction.Commit();
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        LogDeadLettered(message.Message.IssueKey, message.Message.MessageId, message.DeliveryCount);
        Signal();
    }

    public Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SettleAsync(
            connection =>
            {
                var now = _time.GetUtcNow();
                var until = now + _options.LockDuration;
                using var command = connection.CreateCommand();

                // An expired lease may be renewed only while nobody else has taken a message of the same issue meanwhile.
                command.CommandText = """
                    UPDATE messages SET visible_at = $until
                    WHERE lock_token = $token
                      AND (visible_at > $now OR NOT EXISTS (
                            SELECT 1 FROM messages o
                            WHERE o.issue_key = messages.issue_key AND o.seq <> messages.seq
                              AND o.lock_token IS NOT NULL AND o.visible_at > $now));
                    """;
                command.Parameters.AddWithValue("$until", ToUnixMs(until));
                command.Parameters.AddWithValue("$token", message.LockToken);
                command.Parameters.AddWithValue("$now", ToUnixMs(now));
                return command.ExecuteNonQuery() == 0 ? throw LockLost(message) : FromUnixMs(ToUnixMs(until));
            },
            cancellationToken);
    }

    public Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM dead_letters), (SELECT MIN(enqueued_at) FROM messages);";
        using var reader = command.ExecuteReader();
        reader.Read();
        return Task.FromResult(new QueueStatistics(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : FromUnixMs(reader.GetInt64(2))));
    }

    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, {SqliteQueueSchema.MessageColumns}, delivery_count, reason, dead_lettered_at FROM dead_letters ORDER BY id LIMIT $max;";
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
        using var reader = command.ExecuteReader();
        var result = new List<DeadLetter>();
        while (reader.Read())
        {
            result.Add(ReadDeadLetter(reader));
        }

        return Task.FromResult<IReadOnlyList<DeadLetter>>(result);
    }

    public Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key))
        {
            return Task.FromResult<DeadLetter?>(null);
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, {SqliteQueueSchema.MessageColumns}, delivery_count, reason, dead_lettered_at FROM dead_letters WHERE id = $id;";
        command.Parameters.AddWithValue("$id", key);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadDeadLetter(reader) : null);
    }

    public Task<bool> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key))
        {
            return Task.FromResult(false);
        }

        return Task.FromResult(Replay("WHERE id = $id", key) > 0);
    }

    public Task<int> ReplayAllAsync(CancellationToken cancellationToken) => Task.FromResult(Replay("", null));

    public Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM dead_letters;";
        return Task.FromResult(command.ExecuteNonQuery());
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _database.Dispose();
        _holder.Dispose();
    }

    /// <summary>
    /// One settlement (or renewal) as one short unit of work on the settle connection. While another process holds
    /// the write lock, each try gives up after <see cref="SettleBusyTimeout"/> and the next waits on the injected
    /// clock, so the caller's token, not a 30 s busy timeout, bounds how long settling may take.
    /// </summary>
    private async Task<T> SettleAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var connection = _settle.Open();
                return work(connection);
            }
            catch (SqliteException ex) when (IsBusy(ex))
            {
                await Task.Delay(SettleRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsBusy(SqliteException ex) => ex.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED

    /// <summary>
    /// Releases, at once, the leases of holders whose process has ended (SIGKILL, crash, power loss of a
    /// container on the same host), instead of leaving them invisible until <see cref="QueueOptions.LockDuration"/>
    /// runs out. The delivery stays counted, so a message that kills its worker each time is still dead-lettered.
    /// </summary>
    internal int ReclaimFromStoppedHolders()
    {
        if (!_holder.CanTellLiveness)
        {
            return 0;
        }

        using var connection = _settle.Open();
        var nowMs = ToUnixMs(_time.GetUtcNow());
        var holders = new HashSet<string>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT lock_token FROM messages WHERE lock_token IS NOT NULL AND visible_at > $now;";
            command.Parameters.AddWithValue("$now", nowMs);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (SqliteLeaseHolder.HolderOf(reader.GetString(0)) is { } holder && holder != _holder.Id)
                {
                    holders.Add(holder);
                }
            }
        }

        var reclaimed = 0;
        foreach (var holder in holders.Where(h => !_holder.IsRunning(h)))
        {
            using var command = connection.CreateCommand();

            // Lock tokens are "<holder>.<nonce>" and '/' follows '.', so this range is exactly that holder's tokens.
            command.CommandText = "UPDATE messages SET lock_token = NULL, visible_at = $now WHERE lock_token >= $from AND lock_token < $to;";
            command.Parameters.AddWithValue("$now", nowMs);
            command.Parameters.AddWithValue("$from", holder + ".");
            command.Parameters.AddWithValue("$to", holder + "/");
            var count = command.ExecuteNonQuery();
            if (count > 0)
            {
                LogReclaimed(count, holder);
                reclaimed += count;
            }
        }

        if (reclaimed > 0)
        {
            Signal();
        }

        return reclaimed;
    }

    private void ReclaimFromStoppedHoldersWhenDue()
    {
        // Every receiver of this instance calls this; one of them looks per interval (the clock moving back counts as due).
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastReclaimTicks);
        if ((last != long.MinValue && now >= last && now - last < _options.ReclaimInterval.Ticks)
            || Interlocked.CompareExchange(ref _lastReclaimTicks, now, last) != last)
        {
            return;
        }

        try
        {
            ReclaimFromStoppedHolders();
        }
        catch (SqliteException ex)
        {
            // A busy file: the next receive tries again, and lease expiry remains the backstop.
            LogReclaimFailed(ex.SqliteErrorCode);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal TimeSpan Backoff(int deliveryCount)
    {
        var exponent = Math.Clamp(deliveryCount - 1, 0, 30);
        var ceiling = Math.Min(_options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent), _options.BackoffCap.TotalMilliseconds);

        // Equal jitter: spreads retries of a failed burst, yet never retries sooner than half the back-off.
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private LeasedMessage? TryLease()
    {
        using var connection = _settle.Open();
        var now = _time.GetUtcNow();

        // A read first, so idle polling never takes the write lock the enqueue writer needs.
        if (FindCandidate(connection, null, ToUnixMs(now)) is null)
        {
            return null;
        }

        List<IssueReference>? expired = null;
        LeasedMessage? leased = null;
        using (var transaction = connection.BeginTransaction())
        {
            now = _time.GetUtcNow();
            var nowMs = ToUnixMs(now);
            while (FindCandidate(connection, transaction, nowMs) is { } candidate)
            {
                if (candidate.DeliveryCount >= _options.MaxDeliveryCount)
                {
                    // Its leases expired again and again (the worker crashed or hung on it each time).
                    MoveToDeadLetters(connection, transaction, candidate.Seq, $"Maximum delivery count ({_options.MaxDeliveryCount}) reached: the lease expired without the message being completed.", now);
                    (expired ??= []).Add(candidate.Message);
                    continue;
                }

                var token = _holder.NewLockToken();
                var until = now + _options.LockDuration;
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "UPDATE messages SET lock_token = $token, visible_at = $until, delivery_count = delivery_count + 1 WHERE seq = $seq;";
                command.Parameters.AddWithValue("$token", token);
                command.Parameters.AddWithValue("$until", ToUnixMs(until));
                command.Parameters.AddWithValue("$seq", candidate.Seq);
                command.ExecuteNonQuery();
                leased = new LeasedMessage(candidate.Message, token, candidate.DeliveryCount + 1, FromUnixMs(ToUnixMs(until)));
                break;
            }

            transaction.Commit();
        }

        foreach (var message in expired ?? [])
        {
            CountQueueDeadLetter();
            LogDeadLettered(message.IssueKey, message.MessageId, _options.MaxDeliveryCount);
        }

        return leased;
    }

    private static Candidate? FindCandidate(SqliteConnection connection, SqliteTransaction? transaction, long nowMs)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT m.seq, m.delivery_count, {Prefixed("m")}
            FROM messages m
            WHERE m.visible_at <= $now
              AND NOT EXISTS (
                SELECT 1 FROM messages o
                WHERE o.issue_key = m.issue_key AND o.lock_token IS NOT NULL AND o.visible_at > $now)
            ORDER BY m.visible_at, m.seq
            LIMIT 1;
            """;
        command.Parameters.AddWithValue("$now", nowMs);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Candidate(reader.GetInt64(0), reader.GetInt32(1), ReadReference(reader, 2)) : null;
    }

    private static (long Seq, int DeliveryCount) FindLeased(SqliteConnection connection, SqliteTransaction transaction, LeasedMessage message)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT seq, delivery_count FROM messages WHERE lock_token = $token;";
        command.Parameters.AddWithValue("$token", message.LockToken);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt32(1)) : throw LockLost(message);
    }

    private static void MoveToDeadLetters(SqliteConnection connection, SqliteTransaction transaction, long seq, string reason, DateTimeOffset now)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO dead_letters ({SqliteQueueSchema.MessageColumns}, delivery_count, reason, dead_lettered_at)
            SELECT {SqliteQueueSchema.MessageColumns}, delivery_count, $reason, $now FROM messages WHERE seq = $seq;
            DELETE FROM messages WHERE seq = $seq;
            """;
        command.Parameters.AddWithValue("$reason", Truncate(reason));
        command.Parameters.AddWithValue("$now", ToUnixMs(now));
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery();
    }

    private int Replay(string filter, long? id)
    {
        int replayed;
        using (var connection = _database.Open())
        using (var transaction = connection.BeginTransaction())
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;

            // Straight back onto the queue with a fresh delivery count, bypassing duplicate detection on purpose.
            command.CommandText = $"""
                INSERT INTO messages (message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, enqueued_at, visible_at, delivery_count)
                SELECT message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, $now, $now, 0
                FROM dead_letters {filter} ORDER BY id;
                """;
            command.Parameters.AddWithValue("$now", ToUnixMs(_time.GetUtcNow()));
            if (id is not null)
            {
                command.Parameters.AddWithValue("$id", id.Value);
            }

            replayed = command.ExecuteNonQuery();
            command.CommandText = $"DELETE FROM dead_letters {filter};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }

        if (replayed > 0)
        {
            Signal();
        }

        return replayed;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingEnqueue>(_options.MaxBatchSize);
        SqliteConnection? connection = null;
        try
        {
            while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchSize && _pending.Reader.TryRead(out var item))
                {
                    if (item.CancellationToken.IsCancellationRequested)
                    {
                        item.Completion.TrySetCanceled(item.CancellationToken);
                    }
                    else
                    {
                        batch.Add(item);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    connection ??= _database.Open();
                    var outcomes = CommitBatch(connection, batch);

                    // Only now, after the commit, does any caller learn its message is durable.
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Completion.TrySetResult(outcomes[i]);
                    }

                    Signal();
                }
                catch (Exception ex)
                {
                    LogEnqueueFailed(ex, batch.Count);
                    connection?.Dispose();
                    connection = null;
                    foreach (var item in batch)
                    {
                        item.Completion.TrySetException(new IOException("The message could not be made durable.", ex));
                    }
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private EnqueueOutcome[] CommitBatch(SqliteConnection connection, List<PendingEnqueue> batch)
    {
        var outcomes = new EnqueueOutcome[batch.Count];
        var now = _time.GetUtcNow();
        var nowMs = ToUnixMs(now);
        var windowStartMs = nowMs - (long)_options.DuplicateDetectionWindow.TotalMilliseconds;

        using var transaction = connection.BeginTransaction();
        using var seen = connection.CreateCommand();
        seen.Transaction = transaction;

        // A row changes only when the id is new or its last sighting fell out of the window: otherwise a duplicate.
        seen.CommandText = """
            INSERT INTO seen_ids (message_id, seen_at) VALUES ($id, $now)
            ON CONFLICT (message_id) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_ids.seen_at < $windowStart;
            """;
        var seenId = seen.Parameters.Add("$id", SqliteType.Text);
        seen.Parameters.AddWithValue("$now", nowMs);
        seen.Parameters.AddWithValue("$windowStart", windowStartMs);

        // Waiting: not leased, or its lease ran out (it will be leased again and read the issue fresh).
        using var waiting = connection.CreateCommand();
        waiting.Transaction = transaction;
        waiting.CommandText = "SELECT EXISTS (SELECT 1 FROM messages WHERE issue_key = $issueKey AND (lock_token IS NULL OR visible_at <= $now));";
        var waitingKey = waiting.Parameters.Add("$issueKey", SqliteType.Text);
        waiting.Parameters.AddWithValue("$now", nowMs);

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO messages (message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, enqueued_at, visible_at, delivery_count)
            VALUES ($messageId, $issueId, $issueKey, $projectKey, $receivedAt, $traceParent, $traceState, $now, $now, 0);
            """;
        var messageId = insert.Parameters.Add("$messageId", SqliteType.Text);
        var issueId = insert.Parameters.Add("$issueId", SqliteType.Text);
        var issueKey = insert.Parameters.Add("$issueKey", SqliteType.Text);
        var projectKey = insert.Parameters.Add("$projectKey", SqliteType.Text);
        var receivedAt = insert.Parameters.Add("$receivedAt", SqliteType.Text);
        var traceParent = insert.Parameters.Add("$traceParent", SqliteType.Text);
        var traceState = insert.Parameters.Add("$traceState", SqliteType.Text);
        insert.Parameters.AddWithValue("$now", nowMs);

        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Message;
            seenId.Value = message.MessageId;
            if (seen.ExecuteNonQuery() == 0)
            {
                outcomes[i] = EnqueueOutcome.Duplicate;
                continue;
            }

            if (message.Coalesce)
            {
                waitingKey.Value = message.IssueKey;
                if (Convert.ToInt64(waiting.ExecuteScalar(), CultureInfo.InvariantCulture) != 0)
                {
                    outcomes[i] = EnqueueOutcome.Coalesced;
                    continue;
                }
            }

            messageId.Value = message.MessageId;
            issueId.Value = message.IssueId;
            issueKey.Value = message.IssueKey;
            projectKey.Value = message.ProjectKey;
            receivedAt.Value = message.ReceivedAt.ToString("O", CultureInfo.InvariantCulture);
            traceParent.Value = (object?)message.TraceParent ?? DBNull.Value;
            traceState.Value = (object?)message.TraceState ?? DBNull.Value;
            insert.ExecuteNonQuery();
            outcomes[i] = EnqueueOutcome.Enqueued;
        }

        if (now - _lastPrune >= PruneEvery || now < _lastPrune)
        {
            using var prune = connection.CreateCommand();
            prune.Transaction = transaction;
            prune.CommandText = "DELETE FROM seen_ids WHERE seen_at < $windowStart;";
            prune.Parameters.AddWithValue("$windowStart", windowStartMs);
            prune.ExecuteNonQuery();
            _lastPrune = now;
        }

        transaction.Commit();
        Interlocked.Increment(ref _commits);
        return outcomes;
    }

    /// <summary>Counts what the queue dead-letters on its own (the maximum delivery count); the worker counts the ones it asks for.</summary>
    private static void CountQueueDeadLetter() =>
        TrackerTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>("source", "queue"));

    private void Signal() => Interlocked.Exchange(ref _available, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static MessageLockLostException LockLost(LeasedMessage message) =>
        new($"The lease on the message for {message.Message.IssueKey} is no longer held: it expired and was taken over, or the message was already settled.");

    private static DeadLetter ReadDeadLetter(SqliteDataReader reader) => new(
        reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
        ReadReference(reader, 1),
        reader.GetString(10),
        reader.GetInt32(9),
        FromUnixMs(reader.GetInt64(11)));

    /// <summary>Reads the <see cref="SqliteQueueSchema.MessageColumns"/> starting at <paramref name="first"/>.</summary>
    private static IssueReference ReadReference(SqliteDataReader reader, int first) => new(
        reader.GetString(first),
        reader.GetString(first + 1),
        reader.GetString(first + 2),
        reader.GetString(first + 3),
        DateTimeOffset.ParseExact(reader.GetString(first + 4), "O", CultureInfo.InvariantCulture),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6));

    private static string Prefixed(string alias) =>
        string.Join(", ", SqliteQueueSchema.MessageColumns.Split(", ").Select(column => $"{alias}.{column}"));

    private static string Truncate(string reason) => reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength];

    private static long ToUnixMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered the message {MessageId} for {IssueKey} after {DeliveryCount} deliveries.")]
    private partial void LogDeadLettered(string issueKey, string messageId, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released {Count} leases of queue holder {Holder}, whose process has ended; they are delivered again now.")]
    private partial void LogReclaimed(int count, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for leases of ended processes (SQLite error {Code}); will try again.")]
    private partial void LogReclaimFailed(int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This file system does not enforce file locks: leases of a killed process are delivered again only when they expire (Queue:LockDuration).")]
    private partial void LogNoLiveness();

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} enqueued messages; their callers are told to retry.")]
    private partial void LogEnqueueFailed(Exception exception, int count);

    private sealed record Candidate(long Seq, int DeliveryCount, IssueReference Message);

    private sealed class PendingEnqueue(IssueReference message, CancellationToken cancellationToken)
    {
        public IssueReference Message { get; } = message;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<EnqueueOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
