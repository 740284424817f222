namespace MedTechTracker.Queue.Sqlite;

/// <summary>
/// Only the fields of an <see cref="IssueReference"/> are stored: never issue text.
/// Times the queue computes with are Unix milliseconds; a message is available when <c>visible_at</c> has passed,
/// and leased while it has a <c>lock_token</c> and <c>visible_at</c> (the lease expiry) is still ahead.
/// </summary>
internal static class SqliteQueueSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id TEXT NOT NULL,
            issue_id TEXT NOT NULL,
            issue_key TEXT NOT NULL,
            project_key TEXT NOT NULL,
            received_at TEXT NOT NULL,
            trace_parent TEXT NULL,
            trace_state TEXT NULL,
            enqueued_at INTEGER NOT NULL,
            visible_at INTEGER NOT NULL,
            delivery_count INTEGER NOT NULL DEFAULT 0,
            lock_token TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_messages_visible ON messages (visible_at);
        CREATE INDEX IF NOT EXISTS ix_messages_issue_key ON messages (issue_key, visible_at);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_messages_lock_token ON messages (lock_token);

        CREATE TABLE IF NOT EXISTS dead_letters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id TEXT NOT NULL,
            issue_id TEXT NOT NULL,
            issue_key TEXT NOT NULL,
            project_key TEXT NOT NULL,
            received_at TEXT NOT NULL,
            trace_parent TEXT NULL,
            trace_state TEXT NULL,
            enqueued_at INTEGER NOT NULL,
            delivery_count INTEGER NOT NULL,
            reason TEXT NOT NULL,
            dead_lettered_at INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS seen_ids (
            message_id TEXT PRIMARY KEY,
            seen_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_seen_ids_seen_at ON seen_ids (seen_at);
        """;

    public const string MessageColumns = "message_id, issue_id, issue_key, project_key, received_at, trace_parent, trace_state, enqueued_at";
}
