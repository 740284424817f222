using Microsoft.Data.Sqlite;

namespace MedTechTracker.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode: opens pooled connections with the pragmas every connection needs
/// and creates the schema once. Several processes may share the file; SQLite's locks coordinate them.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly string _connectionPragmas;
    private readonly Lock _schemaLock = new();

    // Pooled connections keep their pragmas: each physical connection remembers what it was set to, so a pooled one is
    // configured again only when another database object (other pragmas, same pool) set it differently.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, string> Configured = new();
    private volatile bool _schemaReady;

    public SqliteDatabase(string path, string schema, bool fullSync, TimeSpan busyTimeout)
    {
        Path = path;
        _schema = schema;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();

        // FULL: a commit is on disk when it returns (WAL with NORMAL may lose the last commits on power loss).
        _connectionPragmas = $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(fullSync ? "FULL" : "NORMAL")};";
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            if (!Configured.TryGetValue(connection.Handle!, out var applied) || applied != _connectionPragmas)
            {
                Execute(connection, _connectionPragmas);
                Configured.AddOrUpdate(connection.Handle!, _connectionPragmas);
            }

            if (!_schemaReady)
            {
                EnsureSchema(connection);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void EnsureSchema(SqliteConnection connection)
    {
        lock (_schemaLock)
        {
            if (_schemaReady)
            {
                return;
            }

            // journal_mode is stored in the file, so every process that opens it afterwards gets WAL.
            Execute(connection, "PRAGMA journal_mode = WAL;");
            using (var transaction = connection.BeginTransaction())
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = _schema;
                command.ExecuteNonQuery();
                transaction.Commit();
            }

            _schemaReady = true;
        }
    }
}
