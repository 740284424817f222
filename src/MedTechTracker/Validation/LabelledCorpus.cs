namespace MedTechTracker.Validation;

/// <summary>A corpus directory read and checked: its labels, its cases and the SHA-256 that identifies exactly these files.</summary>
public sealed record LabelledCorpus(
    string Directory,
    string Name,
    string Author,
    int Version,
    string Sha256,
    int FileCount,
    IReadOnlyList<CorpusCase> Cases);
