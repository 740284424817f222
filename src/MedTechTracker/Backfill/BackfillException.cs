namespace MedTechTracker.Backfill;

/// <summary>A job that cannot go on for a reason a person can act on (the message says which).</summary>
public sealed class BackfillException(string message) : Exception(message);
