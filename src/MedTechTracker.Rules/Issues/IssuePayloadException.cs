namespace MedTechTracker.Rules.Issues;

/// <summary>An issue payload that cannot be read; the message names the problem, never the issue's text.</summary>
public sealed class IssuePayloadException(string message) : Exception(message);
