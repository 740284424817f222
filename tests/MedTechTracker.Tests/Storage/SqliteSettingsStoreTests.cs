using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;
using MedTechTracker.Storage.Sqlite;

namespace MedTechTracker.Tests.Storage;

public sealed class SqliteSettingsStoreTests : IDisposable
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(1));
    private readonly TempDataDirectory _directory = new();

    [Fact]
    public async Task Project_never_configured_has_no_settings_which_means_off()
    {
        using var store = NewStore();

        Assert.Null(await store.GetAsync("MED", CancellationToken.None));
        Assert.Empty(await store.ListAsync(CancellationToken.None));
        Assert.Equal(ProjectMode.Off, ProjectSettings.Unconfigured("MED").Mode);
    }

    [Fact]
    public async Task Saved_settings_are_read_back_by_another_instance_over_the_same_file()
    {
        using (var store = NewStore())
        {
            await store.SaveAsync(new ProjectSettings("MED", ProjectMode.Shadow, SafetyClass.B, Monday, "cli"), CancellationToken.None);
        }

        using var reopened = NewStore();
        Assert.Equal(new ProjectSettings("MED", ProjectMode.Shadow, SafetyClass.B, Monday, "cli"), await reopened.GetAsync("MED", CancellationToken.None));
    }

    [Fact]
    public async Task Saving_again_replaces_the_settings_and_list_is_ordered_by_key()
    {
        using var store = NewStore();
        await store.SaveAsync(new ProjectSettings("ZED", ProjectMode.On, SafetyClass.C, Monday), CancellationToken.None);
        await store.SaveAsync(new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, Monday), CancellationToken.None);
        await store.SaveAsync(new ProjectSettings("MED", ProjectMode.Off, SafetyClass.A, Monday.AddDays(1), "admin"), CancellationToken.None);

        var all = await store.ListAsync(CancellationToken.None);

        Assert.Equal(["MED", "ZED"], all.Select(s => s.ProjectKey));
        Assert.Equal(new ProjectSettings("MED", ProjectMode.Off, SafetyClass.A, Monday.AddDays(1), "admin"), all[0]);
    }

    [Fact]
    public async Task The_on_update_choice_is_saved_and_read_back()
    {
        using var store = NewStore();
        await store.SaveAsync(new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, Monday, "cli", OnUpdate: false), CancellationToken.None);

        Assert.False((await store.GetAsync("MED", CancellationToken.None))!.OnUpdate);
        Assert.False((await store.ListAsync(CancellationToken.None)).Single().OnUpdate);
    }

    [Fact]
    public async Task A_store_file_from_before_the_on_update_choice_is_migrated_and_its_projects_re_plan_on_edits()
    {
        var path = Path.Combine(_directory.Path, "store.db");
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE project_settings (project_key TEXT PRIMARY KEY, mode TEXT NOT NULL, safety_class TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NULL) WITHOUT ROWID;
                INSERT INTO project_settings VALUES ('MED', 'On', 'B', '2026-03-02T09:30:00.0000000+01:00', 'cli');
                """;
            command.ExecuteNonQuery();
        }

        using var store = NewStore();

        Assert.Equal(new ProjectSettings("MED", ProjectMode.On, SafetyClass.B, Monday, "cli", OnUpdate: true), await store.GetAsync("MED", CancellationToken.None));
        await store.SaveAsync(new ProjectSettings("MED", ProjectMode.On, SafetyClass.B, Monday, "cli", OnUpdate: false), CancellationToken.None);
        Assert.False((await store.GetAsync("MED", CancellationToken.None))!.OnUpdate);
    }

    [Fact]
    public async Task Store_is_reachable_when_its_file_is()
    {
        using var store = NewStore();

        Assert.True(await store.PingAsync(CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(_directory.Path, "store.db")));
    }

    [Fact]
    public void Missing_data_directory_is_created()
    {
        var nested = new DataOptions { Directory = Path.Combine(_directory.Path, "a", "b") };

        using var store = new SqliteSettingsStore(Microsoft.Extensions.Options.Options.Create(new StoreOptions()), Microsoft.Extensions.Options.Options.Create(nested));

        Assert.True(File.Exists(Path.Combine(_directory.Path, "a", "b", "store.db")));
    }

    public void Dispose() => _directory.Dispose();

    private SqliteSettingsStore NewStore() => new(Microsoft.Extensions.Options.Options.Create(new StoreOptions()), _directory.Options);
}
