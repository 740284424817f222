namespace MedTechTracker.Storage;

public enum BackfillStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}
