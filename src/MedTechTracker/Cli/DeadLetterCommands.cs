using System.CommandLine;

namespace MedTechTracker.Cli;

public static class DeadLetterCommands
{
    /// <summary>TODO: implemented by its capability's owner.</summary>
    public static Command Create() => new("deadletter", "(not implemented yet)");
}
