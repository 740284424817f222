namespace MedTechTracker.Worker;

/// <summary>How a queue message is settled after processing.</summary>
public enum MessageDisposition
{
    Complete,
    Abandon,
    Defer,
    DeadLetter,
}
