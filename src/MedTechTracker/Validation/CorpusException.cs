namespace MedTechTracker.Validation;

/// <summary>A corpus that cannot be used; the message names the file and the case, never an issue's text.</summary>
public sealed class CorpusException(string message) : Exception(message);
