using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Rules;

public sealed class RulesOptions
{
    public const string Section = "Rules";

    /// <summary>The rules file; relative paths are resolved against the working directory, then the app directory.</summary>
    [Required]
    public string Path { get; set; } = "config/rules.json";
}
