using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Storage;

/// <summary>Section "Store": which adapter holds project settings and backfill jobs.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    /// <summary>Sqlite (default, a file in Data:Directory) or AzureTables.</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>The SQLite file of the embedded store, inside Data:Directory.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Store:SqliteFile is required.")]
    [RegularExpression(@"^[^/\\]+$", ErrorMessage = "Store:SqliteFile must be a file name, not a path.")]
    public string SqliteFile { get; set; } = "store.db";
}
