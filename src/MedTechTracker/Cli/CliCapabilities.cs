namespace MedTechTracker.Cli;

/// <summary>What a command's host composes (always with the service's configuration and logging).</summary>
[Flags]
public enum CliCapabilities
{
    None = 0,
    Store = 1,
    Queue = 2,
    Rules = 4,
    Jira = 8,
    Backfill = Store | Rules | Jira | 16,
}
