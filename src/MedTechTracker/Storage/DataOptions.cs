using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Storage;

/// <summary>Section "Data": where the embedded SQLite files live (shared by the service and the CLI).</summary>
public sealed class DataOptions : IValidatableObject
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            yield break;
        }

        string? problem = null;
        try
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetFullPath(Directory));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = ex.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"Data:Directory '{Directory}' cannot be created: {problem}", [nameof(Directory)]);
        }
    }
}
