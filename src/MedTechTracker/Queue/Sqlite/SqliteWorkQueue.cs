using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using MedTechTracker.Storage;
using MedTechTracker.Storage.Sqlite;
using MedTechTracker.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Queue.Sqlite;

/// <summary>
/// The embedded work queue: one SQLite file (WAL) that ingress and worker processes on one host may share. All
/// coordination (leases, the one-lease-per-issue-key rule, duplicate detection, coalescing of edits onto a message of
/// the same issue that is still waiting) lives in the database.
/// <para>
/// Every write of this instance goes through one writer task that commits whatever is waiting in one transaction
/// (group commit): enqueues, leases and settlements alike. So the worker's share of the file costs the ingress no lock
/// waits inside the process, and a burst of completions is one commit, not one each. A batch holding an enqueue
/// commits with <c>synchronous=FULL</c> ("202 means durable"); one of only leases and settlements with
/// <c>NORMAL</c>: lost to a power cut, a settlement only means a redelivery, which the worker's duplicate check (the
/// parent's sub-tasks, read fresh from Jira) makes harmless, and in WAL mode the next FULL commit syncs it anyway.
/// </para>
/// <para>
/// Nothing happens in the constructor: <see cref="Start"/> (the host calls it as a hosted service) opens the file,
/// takes the holder lock and starts the writer. Reading dead letters and statistics needs no start.
/// </para>
/// </summary>
public sealed partial class SqliteWorkQueue : IWorkQueue, IDeadLetterQueue, IHostedService, IAsyncDisposable, IDisposable
{
    private const int MaxReasonLength = 2000;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    // The writer's own busy wait per try: short, so a caller's cancellation is noticed between tries.
    private static readonly TimeSpan WriterBusyTimeout = TimeSpan.FromMilliseconds(200);

    // How long the writer keeps trying while another process holds the write lock before it fails what is waiting.
    private static readonly TimeSpan WriterBusyLimit = TimeSpan.FromSeconds(30);

    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteWorkQueue> _logger;
    private readonly SqliteDatabase _database;
    private readonly SqliteDatabase _settle;
    private readonly SqliteDatabase _durableWrites;
    private readonly Channel<WriteOp> _writes = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startGate = new();
    private SqliteLeaseHolder? _holder;
    private Task? _writer;
    private TaskCompletionSource _available = NewSignal();
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private long _lastReclaimTicks = long.MinValue;
    private int _disposed;

    // Set while leases keep finding messages: the next receive then leases at once instead of asking first.
    private volatile bool _leasesFinding;
    private long _commits;

    public SqliteWorkQueue(IOptions<QueueOptions> options, IOptions<DataOptions> data, TimeProvider time, ILogger<SqliteWorkQueue> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        var path = data.Value.PathOf(_options.SqliteFile);
        _database = new SqliteDatabase(path, SqliteQueueSchema.Sql, fullSync: true, busyTimeout: WriterBusyLimit);
        _settle = new SqliteDatabase(path, SqliteQueueSchema.Sql, fullSync: false, busyTimeout: WriterBusyTimeout);
        _durableWrites = new SqliteDatabase(path, SqliteQueueSchema.Sql, fullSync: true, busyTimeout: WriterBusyTimeout);
    }

    /// <summary>The queue file.</summary>
    public string FilePath => _database.Path;

    /// <summary>Write transactions committed by this instance (group commit puts many operations in one).</summary>
    internal long CommitCount => Interlocked.Read(ref _commits);

    /// <summary>
    /// Opens the file (failing at start-up, not on the first webhook, when it cannot be created or read), takes this
    /// instance's holder lock and starts the writer. Idempotent.
    /// </summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        lock (_startGate)
        {
            if (_writer is not null)
            {
                return;
            }

            _database.Open().Dispose();
            _holder = new SqliteLeaseHolder(_database.Path);
            if (!_holder.CanTellLiveness)
            {
                LogNoLiveness();
            }

            _writer = Task.Run(WriteLoopAsync);
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    // The writer runs until disposal: the worker, stopped after this in reverse order or not, still settles on its way out.
    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<EnqueueOutcome> EnqueueAsync(IssueReference message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(message.MessageId);
        ArgumentException.ThrowIfNullOrEmpty(message.IssueKey);
        return WriteAsync(new WriteOp<EnqueueOutcome>(batch => batch.Enqueue(message), cancellationToken, isEnqueue: true), cancellationToken);
    }

    public async Task<LeasedMessage?> ReceiveAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        (await ReceiveBatchAsync(1, maxWait, cancellationToken).ConfigureAwait(false)) is [var first, ..] ? first : null;

    /// <summary>Leases up to <paramref name="maxMessages"/> messages of distinct issues in one transaction.</summary>
    public async Task<IReadOnlyList<LeasedMessage>> ReceiveBatchAsync(int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        EnsureStarted();
        var started = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = Volatile.Read(ref _available).Task;
            await ReclaimFromStoppedHoldersWhenDueAsync(cancellationToken).ConfigureAwait(false);

            // A read first, so idle polling never takes the write lock the enqueues need; skipped while messages keep coming,
            // when it would only cost a second query per lease.
            if (_leasesFinding || HasCandidate())
            {
                var lease = await WriteAsync(new WriteOp<LeaseResult>(batch => Lease(batch, maxMessages), cancellationToken), cancellationToken).ConfigureAwait(false);
                _leasesFinding = lease.Leased.Count > 0;
                foreach (var message in lease.Expired)
                {
                    CountQueueDeadLetter();
                    LogDeadLettered(message.IssueKey, message.MessageId, _options.MaxDeliveryCount);
                }

                if (lease.Leased.Count > 0)
                {
                    return lease.Leased;
                }
            }

            var remaining = maxWait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return [];
            }

            // Other processes cannot signal us, so poll; our own enqueues and releases wake us at once.
            var wait = remaining < _options.PollInterval ? remaining : _options.PollInterval;
            await Task.WhenAny(signal, Task.Delay(wait, _time, cancellationToken)).ConfigureAwait(false);
        }
    }

    public Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(
            new WriteOp<bool>(
                batch =>
                {
                    var command = batch.Prepared("DELETE FROM messages WHERE lock_token = $token;");
                    command.Parameters.AddWithValue("$token", message.LockToken);
                    return command.ExecuteNonQuery() == 0 ? throw LockLost(message) : true;
                },
                cancellationToken,
                freesKey: true),
            cancellationToken);
    }

    public async Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var deadLettered = await WriteAsync(
            new WriteOp<bool>(
                batch =>
                {
                    var (seq, deliveryCount) = FindLeased(batch, message);
                    if (deliveryCount >= _options.MaxDeliveryCount)
                    {
                        MoveToDeadLetters(batch, seq, $"Maximum delivery count ({_options.MaxDeliveryCount}) reached. Last error: {reason}");
                        return true;
                    }

                    var command = batch.Prepared("UPDATE messages SET lock_token = NULL, visible_at = $visible WHERE seq = $seq;");
                    command.Parameters.AddWithValue("$visible", ToUnixMs(batch.Now + Backoff(deliveryCount)));
                    command.Parameters.AddWithValue("$seq", seq);
                    command.ExecuteNonQuery();
                    return false;
                },
                cancellationToken,
                freesKey: true),
            cancellationToken).ConfigureAwait(false);

        if (deadLettered)
        {
            CountQueueDeadLetter();
            LogDeadLettered(message.Message.IssueKey, message.Message.MessageId, message.DeliveryCount);
        }
    }

    public Task DeferAsync(LeasedMessage message, DateTimeOffset visibleAt, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(
            new WriteOp<bool>(
                batch =>
                {
                    var (seq, _) = FindLeased(batch, message);

                    // Receiving counted this delivery: take it back, the message is not at fault.
                    var command = batch.Prepared("UPDATE messages SET lock_token = NULL, visible_at = $visible, delivery_count = MAX(delivery_count - 1, 0) WHERE seq = $seq;");
                    command.Parameters.AddWithValue("$visible", ToUnixMs(visibleAt));
                    command.Parameters.AddWithValue("$seq", seq);
                    command.ExecuteNonQuery();
                    return true;
                },
                cancellationToken,
                freesKey: true),
            cancellationToken);
    }

    public async Task DeadLetterAsync(LeasedMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await WriteAsync(
            new WriteOp<bool>(
                batch =>
                {
                    var (seq, _) = FindLeased(batch, message);
                    MoveToDeadLetters(batch, seq, reason);
                    return true;
                },
                cancellationToken,
                freesKey: true),
            cancellationToken).ConfigureAwait(false);

        LogDeadLettered(message.Message.IssueKey, message.Message.MessageId, message.DeliveryCount);
    }

    public Task<DateTimeOffset> RenewLockAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return WriteAsync(
            new WriteOp<DateTimeOffset>(
                batch =>
                {
                    var until = batch.Now + _options.LockDuration;

                    // An expired lease may be renewed only while nobody else has taken a message of the same issue meanwhile.
                    var command = batch.Prepared("""
                        UPDATE messages SET visible_at = $until
                        WHERE lock_token = $token
                          AND (visible_at > $now OR NOT EXISTS (
                                SELECT 1 FROM messages o
                                WHERE o.issue_key = messages.issue_key AND o.seq <> messages.seq
                                  AND o.lock_token IS NOT NULL AND o.visible_at > $now));
                        """);
                    command.Parameters.AddWithValue("$until", ToUnixMs(until));
                    command.Parameters.AddWithValue("$token", message.LockToken);
                    command.Parameters.AddWithValue("$now", batch.NowMs);
                    return command.ExecuteNonQuery() == 0 ? throw LockLost(message) : FromUnixMs(ToUnixMs(until));
                },
                cancellationToken),
            cancellationToken);
    }

    public Task<QueueStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        using var connection = _settle.Open();
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
        using var connection = _settle.Open();
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

        using var connection = _settle.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, {SqliteQueueSchema.MessageColumns}, delivery_count, reason, dead_lettered_at FROM dead_letters WHERE id = $id;";
        command.Parameters.AddWithValue("$id", key);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadDeadLetter(reader) : null);
    }

    public async Task<bool> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key))
        {
            return false;
        }

        return await AdminWriteAsync(batch => Replay(batch, "WHERE id = $id", key), cancellationToken).ConfigureAwait(false) > 0;
    }

    public Task<int> ReplayAllAsync(CancellationToken cancellationToken) => AdminWriteAsync(batch => Replay(batch, "", null), cancellationToken);

    public Task<int> PurgeAsync(CancellationToken cancellationToken) => AdminWriteAsync(
        batch =>
        {
            using var command = batch.Command("DELETE FROM dead_letters;");
            return command.ExecuteNonQuery();
        },
        cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writes.Writer.TryComplete();
        Task? writer;
        lock (_startGate)
        {
            writer = _writer;
        }

        if (writer is not null)
        {
            await writer.ConfigureAwait(false);
        }

        _database.Dispose();
        _settle.Dispose();
        _durableWrites.Dispose();
        _holder?.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal TimeSpan Backoff(int deliveryCount)
    {
        var exponent = Math.Clamp(deliveryCount - 1, 0, 30);
        var ceiling = Math.Min(_options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent), _options.BackoffCap.TotalMilliseconds);

        // Equal jitter: spreads retries of a failed burst, yet never retries sooner than half the back-off.
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    /// <summary>
    /// Releases, at once, the leases of holders whose process has ended (SIGKILL, crash, power loss of a
    /// container on the same host), instead of leaving them invisible until <see cref="QueueOptions.LockDuration"/>
    /// runs out. The delivery stays counted, so a message that kills its worker each time is still dead-lettered.
    /// </summary>
    internal Task<int> ReclaimFromStoppedHoldersAsync(CancellationToken cancellationToken)
    {
        var holder = EnsureStarted();
        if (!holder.CanTellLiveness)
        {
            return Task.FromResult(0);
        }

        return WriteAsync(new WriteOp<int>(batch => Reclaim(batch, holder), cancellationToken, freesKey: true), cancellationToken);
    }

    private int Reclaim(WriteBatch batch, SqliteLeaseHolder self)
    {
        var holders = new HashSet<string>(StringComparer.Ordinal);
        using (var command = batch.Command("SELECT lock_token FROM messages WHERE lock_token IS NOT NULL AND visible_at > $now;"))
        {
            command.Parameters.AddWithValue("$now", batch.NowMs);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (SqliteLeaseHolder.HolderOf(reader.GetString(0)) is { } holder && holder != self.Id)
                {
                    holders.Add(holder);
                }
            }
        }

        var reclaimed = 0;
        foreach (var holder in holders.Where(h => !self.IsRunning(h)))
        {
            // Lock tokens are "<holder>.<nonce>" and '/' follows '.', so this range is exactly that holder's tokens.
            using var command = batch.Command("UPDATE messages SET lock_token = NULL, visible_at = $now WHERE lock_token >= $from AND lock_token < $to;");
            command.Parameters.AddWithValue("$now", batch.NowMs);
            command.Parameters.AddWithValue("$from", holder + ".");
            command.Parameters.AddWithValue("$to", holder + "/");
            var count = command.ExecuteNonQuery();
            if (count > 0)
            {
                LogReclaimed(count, holder);
                reclaimed += count;
            }
        }

        return reclaimed;
    }

    private async Task ReclaimFromStoppedHoldersWhenDueAsync(CancellationToken cancellationToken)
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
            await ReclaimFromStoppedHoldersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is SqliteException sqlite)
        {
            // The file stayed busy or failed: the next interval tries again, and lease expiry remains the backstop.
            LogReclaimFailed(sqlite.SqliteErrorCode);
        }
    }

    private SqliteLeaseHolder EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return Volatile.Read(ref _holder) ?? throw new InvalidOperationException(
            "The SQLite work queue was not started: call Start() first (the host does this when it starts).");
    }

    /// <summary>Hands one operation to the writer; the caller's token bounds the wait, however busy the file is.</summary>
    private async Task<T> WriteAsync<T>(WriteOp<T> op, CancellationToken cancellationToken)
    {
        EnsureStarted();
        if (!_writes.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(SqliteWorkQueue));
        }

        return await op.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replay and purge: through the writer when started; from a CLI command, in a transaction of their own.</summary>
    private Task<int> AdminWriteAsync(Func<WriteBatch, int> work, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _holder) is not null)
        {
            return WriteAsync(new WriteOp<int>(work, cancellationToken, freesKey: true), cancellationToken);
        }

        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using var batch = new WriteBatch(connection, transaction, _time.GetUtcNow(), this);
        var result = work(batch);
        transaction.Commit();
        return Task.FromResult(result);
    }

    private bool HasCandidate()
    {
        using var connection = _settle.Open();
        using var command = connection.CreateCommand();
        command.CommandText = CandidatesSql;
        command.Parameters.AddWithValue("$now", ToUnixMs(_time.GetUtcNow()));
        command.Parameters.AddWithValue("$max", 1);
        using var reader = command.ExecuteReader();
        return reader.Read();
    }

    private const string CandidatesSql = """
        SELECT m.seq, m.delivery_count, m.message_id, m.issue_id, m.issue_key, m.project_key, m.received_at, m.trace_parent, m.trace_state
        FROM messages m
        WHERE m.visible_at <= $now
          AND NOT EXISTS (
            SELECT 1 FROM messages o
            WHERE o.issue_key = m.issue_key AND o.lock_token IS NOT NULL AND o.visible_at > $now)
        ORDER BY m.visible_at, m.seq
        LIMIT $max;
        """;

    private LeaseResult Lease(WriteBatch batch, int maxMessages)
    {
        var candidates = new List<Candidate>();
        {
            var query = batch.Prepared(CandidatesSql);
            // Two waiting messages of one issue can both be candidates; only the first is leased, so look a little further.
            query.Parameters.AddWithValue("$now", batch.NowMs);
            query.Parameters.AddWithValue("$max", Math.Min(maxMessages * 2, maxMessages + 64));
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                candidates.Add(new Candidate(reader.GetInt64(0), reader.GetInt32(1), ReadReference(reader, 2)));
            }
        }

        var leased = new List<LeasedMessage>();
        var expired = new List<IssueReference>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var update = batch.Prepared("UPDATE messages SET lock_token = $token, visible_at = $until, delivery_count = delivery_count + 1 WHERE seq = $seq;");
        var token = update.Parameters.Add("$token", SqliteType.Text);
        var seq = update.Parameters.Add("$seq", SqliteType.Integer);
        var until = batch.Now + _options.LockDuration;
        update.Parameters.AddWithValue("$until", ToUnixMs(until));
        foreach (var candidate in candidates)
        {
            if (leased.Count == maxMessages)
            {
                break;
            }

            if (!keys.Add(candidate.Message.IssueKey))
            {
                continue;
            }

            if (candidate.DeliveryCount >= _options.MaxDeliveryCount)
            {
                // Its leases expired again and again (the worker crashed or hung on it each time).
                MoveToDeadLetters(batch, candidate.Seq, $"Maximum delivery count ({_options.MaxDeliveryCount}) reached: the lease expired without the message being completed.");
                expired.Add(candidate.Message);
                keys.Remove(candidate.Message.IssueKey);
                continue;
            }

            token.Value = _holder!.NewLockToken();
            seq.Value = candidate.Seq;
            update.ExecuteNonQuery();
            leased.Add(new LeasedMessage(candidate.Message, (string)token.Value, candidate.DeliveryCount + 1, FromUnixMs(ToUnixMs(until))));
        }

        return new LeaseResult(leased, expired);
    }

    private static (long Seq, int DeliveryCount) FindLeased(WriteBatch batch, LeasedMessage message)
    {
        var command = batch.Prepared("SELECT seq, delivery_count FROM messages WHERE lock_token = $token;");
        command.Parameters.AddWithValue("$token", message.LockToken);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt32(1)) : throw LockLost(message);
    }

    private static void MoveToDeadLetters(WriteBatch batch, long seq, string reason)
    {
        using var command = batch.Command($"""
            INSERT INTO dead_letters ({SqliteQueueSchema.MessageColumns}, delivery_count, reason, dead_lettered_at)
            SELECT {SqliteQueueSchema.MessageColumns}, delivery_count, $reason, $now FROM messages WHERE seq = $seq;
            DELETE FROM messages WHERE seq = $seq;
            """);
        command.Parameters.AddWithValue("$reason", Truncate(reason));
        command.Parameters.AddWithValue("$now", batch.NowMs);
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery();
    }

    private static int Replay(WriteBatch batch, string filter, long? id)
    {
        // Straight back onto the queue with a fresh delivery count, bypassing duplicate detection on purpose.
        using var command = batch.Command($"""
            INSERT INTO messages (message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, enqueued_at, visible_at, delivery_count)
            SELECT message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, $now, $now, 0
            FROM dead_letters {filter} ORDER BY id;
            """);
        command.Parameters.AddWithValue("$now", batch.NowMs);
        if (id is not null)
        {
            command.Parameters.AddWithValue("$id", id.Value);
        }

        var replayed = command.ExecuteNonQuery();
        command.CommandText = $"DELETE FROM dead_letters {filter};";
        command.ExecuteNonQuery();
        return replayed;
    }

    private async Task WriteLoopAsync()
    {
        var ops = new List<WriteOp>(_options.MaxBatchSize);
        var connections = new WriterConnections(_durableWrites, _settle);
        try
        {
            while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                ops.Clear();
                while (ops.Count < _options.MaxBatchSize && _writes.Reader.TryRead(out var op))
                {
                    if (!op.CancelIfRequested())
                    {
                        ops.Add(op);
                    }
                }

                if (ops.Count > 0)
                {
                    CommitWithRetry(connections, ops);
                }
            }
        }
        finally
        {
            connections.Dispose();
        }
    }

    /// <summary>
    /// Commits the operations in one transaction. While another process holds the write lock each try waits
    /// <see cref="WriterBusyTimeout"/>, then cancelled operations are dropped and the rest tried again, for at most
    /// <see cref="WriterBusyLimit"/>. Any other failure splits the batch so one bad operation fails alone.
    /// </summary>
    private void CommitWithRetry(WriterConnections connections, List<WriteOp> ops)
    {
        var busy = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Commit(connections, ops);
                return;
            }
            catch (SqliteException ex) when (IsBusy(ex))
            {
                connections.Reset();
                ops.RemoveAll(op => op.CancelIfRequested());
                if (ops.Count == 0)
                {
                    return;
                }

                if (busy.Elapsed >= WriterBusyLimit)
                {
                    LogWriteFailed(ex, ops.Count);
                    FailAll(ops, ex);
                    return;
                }
            }
            catch (Exception ex)
            {
                connections.Reset();
                if (ops.Count == 1)
                {
                    LogWriteFailed(ex, 1);
                    FailAll(ops, ex);
                    return;
                }

                foreach (var op in ops)
                {
                    CommitWithRetry(connections, [op]);
                }

                return;
            }
        }
    }

    private void Commit(WriterConnections connections, List<WriteOp> ops)
    {
        var durable = ops.Exists(op => op.IsEnqueue);
        var statements = durable ? connections.Full : connections.Normal;
        using var transaction = statements.Connection.BeginTransaction();
        using var batch = new WriteBatch(statements.Connection, transaction, _time.GetUtcNow(), this, statements);
        var ran = new List<WriteOp>(ops.Count);
        foreach (var op in ops)
        {
            // Checked again inside the transaction: an operation whose caller gave up never runs later behind its back.
            if (!op.CancelIfRequested())
            {
                op.Run(batch);
                ran.Add(op);
            }
        }

        if (durable)
        {
            PruneSeenIdsWhenDue(batch);
        }

        transaction.Commit();
        Interlocked.Increment(ref _commits);

        // Only now, after the commit, does any caller learn its message is durable or its settlement done.
        foreach (var op in ran)
        {
            op.Publish();
        }

        if (ran.Exists(op => op.IsEnqueue || op.FreesKey))
        {
            Signal();
        }
    }

    private static void FailAll(List<WriteOp> ops, Exception ex)
    {
        foreach (var op in ops)
        {
            op.Fail(new IOException(op.IsEnqueue ? "The message could not be made durable." : $"The queue file could not be written ({(ex is SqliteException sqlite ? $"SQLite error {sqlite.SqliteErrorCode}" : ex.GetType().Name)}).", ex));
        }
    }

    private void PruneSeenIdsWhenDue(WriteBatch batch)
    {
        if (batch.Now - _lastPrune < PruneEvery && batch.Now >= _lastPrune)
        {
            return;
        }

        using var prune = batch.Command("DELETE FROM seen_ids WHERE seen_at < $windowStart;");
        prune.Parameters.AddWithValue("$windowStart", batch.NowMs - (long)_options.DuplicateDetectionWindow.TotalMilliseconds);
        prune.ExecuteNonQuery();
        _lastPrune = batch.Now;
    }

    private static bool IsBusy(SqliteException ex) => ex.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit {Count} queue operations; their callers are told to retry.")]
    private partial void LogWriteFailed(Exception exception, int count);

    private sealed record Candidate(long Seq, int DeliveryCount, IssueReference Message);

    private sealed record LeaseResult(IReadOnlyList<LeasedMessage> Leased, IReadOnlyList<IssueReference> Expired);

    /// <summary>The writer's two connections with their compiled statements, opened on first use and again after a failure.</summary>
    private sealed class WriterConnections(SqliteDatabase full, SqliteDatabase normal) : IDisposable
    {
        private PreparedStatements? _full;
        private PreparedStatements? _normal;

        public PreparedStatements Full => _full ??= new PreparedStatements(full.Open());

        public PreparedStatements Normal => _normal ??= new PreparedStatements(normal.Open());

        public void Reset()
        {
            Dispose();
            _full = null;
            _normal = null;
        }

        public void Dispose()
        {
            _full?.Dispose();
            _normal?.Dispose();
        }
    }

    /// <summary>
    /// One write transaction: its connection, its clock reading and the statements it runs. Disposed with the transaction:
    /// a command left undisposed stays in its connection's command list, which every later command's Dispose scans in full.
    /// </summary>
    private sealed class WriteBatch(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now, SqliteWorkQueue queue, PreparedStatements? statements = null) : IDisposable
    {
        private readonly List<SqliteCommand> _owned = [];
        private EnqueueStatements? _enqueue;

        public DateTimeOffset Now { get; } = now;

        public long NowMs { get; } = ToUnixMs(now);

        /// <summary>A one-off statement; the caller disposes it.</summary>
        public SqliteCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return command;
        }

        /// <summary>
        /// A statement of the hot path, without parameters: on the writer's connections it is compiled once and reused
        /// (SQLite parses and plans it only the first time); elsewhere it lives until the batch ends. The batch owns it:
        /// callers do not dispose it.
        /// </summary>
        public SqliteCommand Prepared(string sql)
        {
            if (statements is null)
            {
                var oneOff = Command(sql);
                _owned.Add(oneOff);
                return oneOff;
            }

            var command = statements.Get(sql);
            command.Parameters.Clear();
            command.Transaction = transaction;
            return command;
        }

        public EnqueueOutcome Enqueue(IssueReference message) =>
            (_enqueue ??= new EnqueueStatements(this, NowMs - (long)queue._options.DuplicateDetectionWindow.TotalMilliseconds)).Run(message);

        public void Dispose()
        {
            foreach (var command in _owned)
            {
                command.Dispose();
            }
        }
    }

    /// <summary>The compiled statements of one of the writer's connections, by SQL text; disposed with the connection.</summary>
    private sealed class PreparedStatements(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _bySql = new(StringComparer.Ordinal);

        public SqliteConnection Connection { get; } = connection;

        public SqliteCommand Get(string sql)
        {
            if (!_bySql.TryGetValue(sql, out var command))
            {
                command = Connection.CreateCommand();
                command.CommandText = sql;
                _bySql.Add(sql, command);
            }

            return command;
        }

        public void Dispose()
        {
            foreach (var command in _bySql.Values)
            {
                command.Dispose();
            }

            Connection.Dispose();
        }
    }

    /// <summary>The three statements of an enqueue, bound once per transaction and reused for every message in it.</summary>
    private sealed class EnqueueStatements
    {
        private readonly SqliteCommand _seen;
        private readonly SqliteParameter _seenId;
        private readonly SqliteCommand _waiting;
        private readonly SqliteParameter _waitingKey;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _messageId;
        private readonly SqliteParameter _issueId;
        private readonly SqliteParameter _issueKey;
        private readonly SqliteParameter _projectKey;
        private readonly SqliteParameter _receivedAt;
        private readonly SqliteParameter _traceParent;
        private readonly SqliteParameter _traceState;

        public EnqueueStatements(WriteBatch batch, long windowStartMs)
        {
            // A row changes only when the id is new or its last sighting fell out of the window: otherwise a duplicate.
            _seen = batch.Prepared("""
                INSERT INTO seen_ids (message_id, seen_at) VALUES ($id, $now)
                ON CONFLICT (message_id) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_ids.seen_at < $windowStart;
                """);
            _seenId = _seen.Parameters.Add("$id", SqliteType.Text);
            _seen.Parameters.AddWithValue("$now", batch.NowMs);
            _seen.Parameters.AddWithValue("$windowStart", windowStartMs);

            // Waiting: not leased, or its lease ran out (it will be leased again and read the issue fresh).
            _waiting = batch.Prepared("SELECT EXISTS (SELECT 1 FROM messages WHERE issue_key = $issueKey AND (lock_token IS NULL OR visible_at <= $now));");
            _waitingKey = _waiting.Parameters.Add("$issueKey", SqliteType.Text);
            _waiting.Parameters.AddWithValue("$now", batch.NowMs);

            _insert = batch.Prepared("""
                INSERT INTO messages (message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, enqueued_at, visible_at, delivery_count)
                VALUES ($messageId, $issueId, $issueKey, $projectKey, $receivedAt, $traceParent, $traceState, $now, $now, 0);
                """);
            _messageId = _insert.Parameters.Add("$messageId", SqliteType.Text);
            _issueId = _insert.Parameters.Add("$issueId", SqliteType.Text);
            _issueKey = _insert.Parameters.Add("$issueKey", SqliteType.Text);
            _projectKey = _insert.Parameters.Add("$projectKey", SqliteType.Text);
            _receivedAt = _insert.Parameters.Add("$receivedAt", SqliteType.Text);
            _traceParent = _insert.Parameters.Add("$traceParent", SqliteType.Text);
            _traceState = _insert.Parameters.Add("$traceState", SqliteType.Text);
            _insert.Parameters.AddWithValue("$now", batch.NowMs);
        }

        public EnqueueOutcome Run(IssueReference message)
        {
            _seenId.Value = message.MessageId;
            if (_seen.ExecuteNonQuery() == 0)
            {
                return EnqueueOutcome.Duplicate;
            }

            if (message.Coalesce)
            {
                _waitingKey.Value = message.IssueKey;
                if (Convert.ToInt64(_waiting.ExecuteScalar(), CultureInfo.InvariantCulture) != 0)
                {
                    return EnqueueOutcome.Coalesced;
                }
            }

            _messageId.Value = message.MessageId;
            _issueId.Value = message.IssueId;
            _issueKey.Value = message.IssueKey;
            _projectKey.Value = message.ProjectKey;
            _receivedAt.Value = message.ReceivedAt.ToString("O", CultureInfo.InvariantCulture);
            _traceParent.Value = (object?)message.TraceParent ?? DBNull.Value;
            _traceState.Value = (object?)message.TraceState ?? DBNull.Value;
            _insert.ExecuteNonQuery();
            return EnqueueOutcome.Enqueued;
        }
    }

    /// <summary>One operation waiting for the writer. It runs inside the writer's transaction; its caller learns the result after the commit.</summary>
    private abstract class WriteOp(CancellationToken cancellationToken, bool isEnqueue, bool freesKey)
    {
        /// <summary>An enqueue: the transaction must be durable (synchronous=FULL) when it commits.</summary>
        public bool IsEnqueue { get; } = isEnqueue;

        /// <summary>Settling frees the issue key, so waiting receivers are woken after the commit.</summary>
        public bool FreesKey { get; } = freesKey;

        protected CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>True (and the caller told) when the caller has given up: the operation is then never run.</summary>
        public abstract bool CancelIfRequested();

        public abstract void Run(WriteBatch batch);

        public abstract void Publish();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOp<T>(Func<WriteBatch, T> work, CancellationToken cancellationToken, bool isEnqueue = false, bool freesKey = false)
        : WriteOp(cancellationToken, isEnqueue, freesKey)
    {
        private T? _result;
        private Exception? _error;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CancelIfRequested()
        {
            if (!CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            Completion.TrySetCanceled(CancellationToken);
            return true;
        }

        public override void Run(WriteBatch batch)
        {
            try
            {
                _result = work(batch);
                _error = null;
            }
            catch (Exception ex) when (ex is not SqliteException)
            {
                // Its own failure (a lease no longer held, …): the operation changed nothing; the rest of the batch goes on.
                _error = ex;
            }
        }

        public override void Publish()
        {
            if (_error is not null)
            {
                Completion.TrySetException(_error);
            }
            else
            {
                Completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
