using System.CommandLine;

namespace MedTechTracker.Cli;

/// <summary>Options shared by several commands.</summary>
public static class CliOptions
{
    /// <summary>The rules file: --rules, else Rules__Path, else config/rules.json.</summary>
    public static Option<string?> Rules() => new("--rules")
    {
        Description = "The rules file (default: $Rules__Path or config/rules.json).",
    };

    public static string ResolveRulesPath(string? given) =>
        MedTechTracker.Rules.RulesFile.Resolve(given ?? Environment.GetEnvironmentVariable("Rules__Path") ?? "config/rules.json");
}
