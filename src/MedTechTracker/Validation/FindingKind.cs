namespace MedTechTracker.Validation;

public enum FindingKind
{
    /// <summary>An expected rule did not fire (a false negative).</summary>
    Missed,

    /// <summary>A rule the labels forbid fired (a false positive that is clearly wrong).</summary>
    ForbiddenFired,

    /// <summary>A rule fired that the labels neither expect nor forbid (counted against precision).</summary>
    Unexpected,
}
