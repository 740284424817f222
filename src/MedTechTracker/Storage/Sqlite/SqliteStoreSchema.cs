namespace MedTechTracker.Storage.Sqlite;

/// <summary>
/// The store file: project settings, admin key session epochs and backfill jobs with their checkpoint. No issue text, no issue list.
/// Times are ISO 8601 round-trip strings; <c>version</c> is the optimistic-concurrency row version (the ETag).
/// </summary>
internal static class SqliteStoreSchema
{
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS project_settings (
            project_key TEXT PRIMARY KEY,
            mode TEXT NOT NULL,
            safety_class TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NULL,
            on_update INTEGER NOT NULL DEFAULT 1
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS admin_key_epochs (
            key_name TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            epoch INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS backfill_jobs (
            id TEXT NOT NULL UNIQUE,
            project_key TEXT NOT NULL,
            user_jql TEXT NULL,
            created_after TEXT NULL,
            dry_run INTEGER NOT NULL,
            status TEXT NOT NULL,
            cancel_requested INTEGER NOT NULL,
            next_page_token TEXT NULL,
            checkpoint_created TEXT NULL,
            scanned INTEGER NOT NULL,
            matched INTEGER NOT NULL,
            created INTEGER NOT NULL,
            already_present INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            estimated_total INTEGER NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            started_at TEXT NULL,
            finished_at TEXT NULL,
            error TEXT NULL,
            requested_by TEXT NULL,
            version INTEGER NOT NULL
        );
        """;

    /// <summary>Brings a file written by an earlier version up to this schema (columns added since are appended with their default).</summary>
    public static void Migrate(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using (var probe = connection.CreateCommand())
        {
            probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('project_settings') WHERE name = 'on_update';";
            if (Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
        }

        try
        {
            SqliteDatabase.Execute(connection, "ALTER TABLE project_settings ADD COLUMN on_update INTEGER NOT NULL DEFAULT 1;");
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (ex.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
        {
            // Another process sharing the file added it first.
        }
    }
}
