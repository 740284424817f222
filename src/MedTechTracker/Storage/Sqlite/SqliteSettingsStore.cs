using System.Globalization;
using MedTechTracker.Rules.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Storage.Sqlite;

/// <summary>Per-project settings in the store file. A project without a row was never configured, which means Off.</summary>
public sealed class SqliteSettingsStore : ISettingsStore, IAdminSessionEpochs, IDisposable
{
    private readonly SqliteDatabase _database;

    public SqliteSettingsStore(IOptions<StoreOptions> options, IOptions<DataOptions> data)
    {
        _database = new SqliteDatabase(data.Value.PathOf(options.Value.SqliteFile), SqliteStoreSchema.Sql, fullSync: true, busyTimeout: TimeSpan.FromSeconds(30));
        using var connection = _database.Open();
        SqliteStoreSchema.Migrate(connection);
    }

    public Task<ProjectSettings?> GetAsync(string projectKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectKey);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT project_key, mode, safety_class, updated_at, updated_by, on_update FROM project_settings WHERE project_key = $key;";
        command.Parameters.AddWithValue("$key", Normalize(projectKey));
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? Read(reader) : null);
    }

    public Task<IReadOnlyList<ProjectSettings>> ListAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT project_key, mode, safety_class, updated_at, updated_by, on_update FROM project_settings ORDER BY project_key;";
        using var reader = command.ExecuteReader();
        var result = new List<ProjectSettings>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }

        return Task.FromResult<IReadOnlyList<ProjectSettings>>(result);
    }

    public Task SaveAsync(ProjectSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.ProjectKey);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO project_settings (project_key, mode, safety_class, updated_at, updated_by, on_update)
            VALUES ($key, $mode, $class, $updatedAt, $updatedBy, $onUpdate)
            ON CONFLICT (project_key) DO UPDATE SET
                mode = excluded.mode, safety_class = excluded.safety_class,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by, on_update = excluded.on_update;
            """;
        command.Parameters.AddWithValue("$key", Normalize(settings.ProjectKey));
        command.Parameters.AddWithValue("$mode", settings.Mode.ToString());
        command.Parameters.AddWithValue("$class", settings.SafetyClass.ToString());
        command.Parameters.AddWithValue("$updatedAt", settings.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$updatedBy", (object?)settings.UpdatedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$onUpdate", settings.OnUpdate ? 1 : 0);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var connection = _database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM project_settings;";
            command.ExecuteScalar();
            return Task.FromResult(true);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(false);
        }
    }

    public Task<AdminKeyEpoch?> GetEpochAsync(string keyName, CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_name, fingerprint, epoch FROM admin_key_epochs WHERE key_name = $name;";
        command.Parameters.AddWithValue("$name", keyName);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadEpoch(reader) : null);
    }

    public Task<IReadOnlyList<AdminKeyEpoch>> ListEpochsAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_name, fingerprint, epoch FROM admin_key_epochs ORDER BY key_name;";
        using var reader = command.ExecuteReader();
        var result = new List<AdminKeyEpoch>();
        while (reader.Read())
        {
            result.Add(ReadEpoch(reader));
        }

        return Task.FromResult<IReadOnlyList<AdminKeyEpoch>>(result);
    }

    public Task<AdminKeyEpoch> EnsureEpochAsync(string keyName, string fingerprint, CancellationToken cancellationToken) =>
        UpsertEpoch(keyName, fingerprint, """
            INSERT INTO admin_key_epochs (key_name, fingerprint, epoch) VALUES ($name, $fingerprint, 0)
            ON CONFLICT (key_name) DO NOTHING;
            """);

    public Task<AdminKeyEpoch> EndSessionsAsync(string keyName, string fingerprint, CancellationToken cancellationToken) =>
        UpsertEpoch(keyName, fingerprint, """
            INSERT INTO admin_key_epochs (key_name, fingerprint, epoch) VALUES ($name, $fingerprint, 1)
            ON CONFLICT (key_name) DO UPDATE SET epoch = epoch + 1, fingerprint = excluded.fingerprint;
            """);

    public void Dispose() => _database.Dispose();

    private Task<AdminKeyEpoch> UpsertEpoch(string keyName, string fingerprint, string sql)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$name", keyName);
            command.Parameters.AddWithValue("$fingerprint", fingerprint);
            command.ExecuteNonQuery();
        }

        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT key_name, fingerprint, epoch FROM admin_key_epochs WHERE key_name = $name;";
        read.Parameters.AddWithValue("$name", keyName);
        AdminKeyEpoch stored;
        using (var reader = read.ExecuteReader())
        {
            reader.Read();
            stored = ReadEpoch(reader);
        }

        transaction.Commit();
        return Task.FromResult(stored);
    }

    private static AdminKeyEpoch ReadEpoch(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2));

    private static string Normalize(string projectKey) => projectKey.Trim().ToUpperInvariant();

    private static ProjectSettings Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        Enum.Parse<ProjectMode>(reader.GetString(1)),
        Enum.Parse<SafetyClass>(reader.GetString(2)),
        DateTimeOffset.ParseExact(reader.GetString(3), "O", CultureInfo.InvariantCulture),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt64(5) != 0);
}
