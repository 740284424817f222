namespace MedTechTracker.Storage;

/// <summary>Whether a project takes part. Unknown projects are Off: taking part is an explicit opt-in.</summary>
public enum ProjectMode
{
    Off,
    Shadow,
    On,
}
