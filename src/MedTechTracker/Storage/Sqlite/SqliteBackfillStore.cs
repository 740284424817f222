using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Storage.Sqlite;

/// <summary>
/// Backfill jobs in the store file, one column per <see cref="BackfillJob"/> field. The ETag is a row version
/// incremented on every write; a replace succeeds only while the version it read is still the stored one.
/// </summary>
public sealed class SqliteBackfillStore : IBackfillStore, IDisposable
{
    private const string Columns = """
        id, project_key, user_jql, created_after, dry_run, status, cancel_requested, next_page_token, checkpoint_created,
        scanned, matched, created, already_present, failed, estimated_total,
        created_at, updated_at, started_at, finished_at, error, requested_by, version
        """;

    private const string Values = """
        $id, $project_key, $user_jql, $created_after, $dry_run, $status, $cancel_requested, $next_page_token, $checkpoint_created,
        $scanned, $matched, $created, $already_present, $failed, $estimated_total,
        $created_at, $updated_at, $started_at, $finished_at, $error, $requested_by, $version
        """;

    private readonly SqliteDatabase _database;

    public SqliteBackfillStore(IOptions<StoreOptions> options, IOptions<DataOptions> data)
    {
        _database = new SqliteDatabase(data.Value.PathOf(options.Value.SqliteFile), SqliteStoreSchema.Sql, fullSync: true, busyTimeout: TimeSpan.FromSeconds(30));
        _database.Open().Dispose();
    }

    public Task<BackfillJob> CreateAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO backfill_jobs ({Columns}) VALUES ({Values});";
        Bind(command, job, version: 1);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
        {
            throw new InvalidOperationException($"Backfill job {job.Id} already exists.", ex);
        }

        return Task.FromResult(job with { ETag = Version(1) });
    }

    public Task<BackfillJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM backfill_jobs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? Read(reader) : null);
    }

    /// <summary>Every job, newest first.</summary>
    public Task<IReadOnlyList<BackfillJob>> ListAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM backfill_jobs ORDER BY rowid DESC;";
        using var reader = command.ExecuteReader();
        var result = new List<BackfillJob>();
        while (reader.Read())
        {
            result.Add(Read(reader));
        }

        return Task.FromResult<IReadOnlyList<BackfillJob>>(result);
    }

    public Task<BackfillJob?> TryReplaceAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!long.TryParse(job.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
        {
            return Task.FromResult<BackfillJob?>(null);
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        var assignments = string.Join(", ", Columns.Split(',', StringSplitOptions.TrimEntries)
            .Where(column => column is not "id")
            .Select(column => $"{column} = ${column}"));
        command.CommandText = $"UPDATE backfill_jobs SET {assignments} WHERE id = $id AND version = $expected;";
        Bind(command, job, expected + 1);
        command.Parameters.AddWithValue("$expected", expected);
        var saved = command.ExecuteNonQuery() == 1 ? job with { ETag = Version(expected + 1) } : null;
        return Task.FromResult(saved);
    }

    public void Dispose() => _database.Dispose();

    private static string Version(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static void Bind(SqliteCommand command, BackfillJob job, long version)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", job.Id);
        p.AddWithValue("$project_key", job.ProjectKey);
        p.AddWithValue("$user_jql", (object?)job.UserJql ?? DBNull.Value);
        p.AddWithValue("$created_after", Time(job.CreatedAfter));
        p.AddWithValue("$dry_run", job.DryRun);
        p.AddWithValue("$status", job.Status.ToString());
        p.AddWithValue("$cancel_requested", job.CancelRequested);
        p.AddWithValue("$next_page_token", (object?)job.NextPageToken ?? DBNull.Value);
        p.AddWithValue("$checkpoint_created", Time(job.CheckpointCreated));
        p.AddWithValue("$scanned", job.Counters.Scanned);
        p.AddWithValue("$matched", job.Counters.Matched);
        p.AddWithValue("$created", job.Counters.Created);
        p.AddWithValue("$already_present", job.Counters.AlreadyPresent);
        p.AddWithValue("$failed", job.Counters.Failed);
        p.AddWithValue("$estimated_total", (object?)job.EstimatedTotal ?? DBNull.Value);
        p.AddWithValue("$created_at", Time(job.CreatedAt));
        p.AddWithValue("$updated_at", Time(job.UpdatedAt));
        p.AddWithValue("$started_at", Time(job.StartedAt));
        p.AddWithValue("$finished_at", Time(job.FinishedAt));
        p.AddWithValue("$error", (object?)job.Error ?? DBNull.Value);
        p.AddWithValue("$requested_by", (object?)job.RequestedBy ?? DBNull.Value);
        p.AddWithValue("$version", version);
    }

    private static object Time(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture) ?? (object)DBNull.Value;

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.ParseExact(reader.GetString(ordinal), "O", CultureInfo.InvariantCulture);

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static BackfillJob Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ProjectKey = reader.GetString(1),
        UserJql = Text(reader, 2),
        CreatedAfter = Time(reader, 3),
        DryRun = reader.GetBoolean(4),
        Status = Enum.Parse<BackfillStatus>(reader.GetString(5)),
        CancelRequested = reader.GetBoolean(6),
        NextPageToken = Text(reader, 7),
        CheckpointCreated = Time(reader, 8),
        Counters = new BackfillCounters(reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13)),
        EstimatedTotal = reader.IsDBNull(14) ? null : reader.GetInt64(14),
        CreatedAt = Time(reader, 15) ?? default,
        UpdatedAt = Time(reader, 16) ?? default,
        StartedAt = Time(reader, 17),
        FinishedAt = Time(reader, 18),
        Error = Text(reader, 19),
        RequestedBy = Text(reader, 20),
        ETag = Version(reader.GetInt64(21)),
    };
}
