using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Storage;

/// <summary>Section "Data": where the embedded SQLite files live (shared by the service and the CLI).</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>The data directory; created when missing. Relative paths are resolved against the working directory.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Data:Directory is required.")]
    public string Directory { get; set; } = "./data";

    /// <summary>The full path of a file inside the data directory, creating the directory when missing.</summary>
    public string PathOf(string fileName)
    {
        var directory = System.IO.Path.GetFullPath(Directory);
        System.IO.Directory.CreateDirectory(directory);
        return System.IO.Path.Combine(directory, fileName);
    }
}
