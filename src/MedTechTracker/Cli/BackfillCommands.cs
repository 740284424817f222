using System.CommandLine;

namespace MedTechTracker.Cli;

public static class BackfillCommands
{
    /// <summary>TODO: implemented by its capability's owner.</summary>
    public static Command Create() => new("backfill", "(not implemented yet)");
}
