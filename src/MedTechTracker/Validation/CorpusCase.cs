using MedTechTracker.Rules.Model;

namespace MedTechTracker.Validation;

/// <summary>One labelled issue of a corpus: the issue as the rules see it, its project's safety class, and what an expert expects.</summary>
public sealed record CorpusCase(
    int Number,
    string File,
    IssueSnapshot Issue,
    SafetyClass SafetyClass,
    IReadOnlyList<string> Expected,
    IReadOnlyList<string> Forbidden,
    string? Topic,
    string? Lang);
