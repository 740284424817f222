namespace MedTechTracker.Queue;

/// <summary>A message that could not be processed, with the reason (issue key and Jira's error, never issue text).</summary>
public sealed record DeadLetter(string Id, IssueReference Message, string Reason, int DeliveryCount, DateTimeOffset DeadLetteredAt);
