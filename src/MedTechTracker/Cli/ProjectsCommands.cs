using System.CommandLine;

namespace MedTechTracker.Cli;

public static class ProjectsCommands
{
    /// <summary>TODO: implemented by its capability's owner.</summary>
    public static Command Create() => new("projects", "(not implemented yet)");
}
