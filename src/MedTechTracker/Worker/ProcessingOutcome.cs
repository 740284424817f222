namespace MedTechTracker.Worker;

/// <summary>
/// What became of one message. <paramref name="Reason"/> names the issue key, rule ids and Jira's error,
/// never the text: it is logged and stored with dead letters.
/// </summary>
public sealed record ProcessingOutcome(MessageDisposition Disposition, string Result, string? Reason = null, int Created = 0, DateTimeOffset? VisibleAt = null)
{
    /// <summary>Jira closed its rate window: back on the queue, invisible until it opens, the delivery not counted.</summary>
    public static ProcessingOutcome Deferred(DateTimeOffset visibleAt, string reason) => new(MessageDisposition.Defer, "deferred", reason, 0, visibleAt);

    public static ProcessingOutcome Completed(string result, int created = 0) => new(MessageDisposition.Complete, result, null, created);

    public static ProcessingOutcome Abandoned(string reason, int created = 0) => new(MessageDisposition.Abandon, "retry", reason, created);

    public static ProcessingOutcome DeadLettered(string reason, int created = 0) => new(MessageDisposition.DeadLetter, "dead_letter", reason, created);
}
