using MedTechTracker.Rules;
using MedTechTracker.Rules.Matching;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Tests.Rules;

/// <summary>The one rules fixture: rules built in code, and a small rules file of its own (so tests do not move when the default pack is tuned).</summary>
internal static class TestRules
{
    public const string WorkerRulesJson = """
        {
          "version": 1,
          "summaryTemplate": "Compliance: {title} ({standard} {clause})",
          "rules": [
            { "id": "risk-analysis", "title": "Update the risk analysis", "standard": "ISO 14971", "clause": "§5",
              "keywords": ["hazard", "infusion rate"], "instructions": ["Identify the hazard."], "evidence": ["Risk file entry"] },
            { "id": "cybersecurity", "title": "Assess the security impact", "standard": "IEC 81001-5-1", "clause": "§5.1",
              "keywords": ["password", "encryption"], "instructions": ["Threat-model the change."], "evidence": ["Threat model"] },
            { "id": "usability", "title": "Evaluate usability", "standard": "IEC 62366-1", "clause": "§5.9",
              "safetyClasses": ["B", "C"], "keywords": ["alarm"], "instructions": ["Run a formative evaluation."], "evidence": ["Evaluation report"] }
          ]
        }
        """;

    public static RulesProvider CreateWorkerRulesProvider(string directory)
    {
        var path = Path.Combine(directory, "rules.json");
        File.WriteAllText(path, WorkerRulesJson);
        return new RulesProvider(Options.Create(new RulesOptions { Path = path }), NullLogger<RulesProvider>.Instance);
    }


    public static Rule Rule(
        string id = "r1",
        string[]? keywords = null,
        string[]? exclude = null,
        IssueField[]? fields = null,
        string[]? issueTypes = null,
        string[]? appliesTo = null,
        SafetyClass[]? classes = null) => new()
    {
        Id = id,
        Title = $"Title of {id}",
        Standard = "IEC 62304",
        Clause = "§5.1",
        Keywords = keywords ?? [],
        Exclude = exclude ?? [],
        Fields = fields ?? [IssueField.Summary, IssueField.Description],
        IssueTypes = issueTypes ?? [],
        AppliesTo = appliesTo ?? [],
        SafetyClasses = classes ?? [SafetyClass.A, SafetyClass.B, SafetyClass.C],
        Instructions = ["Do the first thing", "Do the second thing", "Do the third thing"],
        Evidence = ["A record"],
    };

    public static CompiledRuleSet Compile(params Rule[] rules) => new(new RuleSet { Rules = rules });

    public static IssueSnapshot Issue(string summary = "", string description = "", string type = "Story", bool subtask = false, string[]? existing = null) => new()
    {
        Key = "MED-1",
        ProjectKey = "MED",
        Summary = summary,
        Description = description,
        IssueType = type,
        IsSubtask = subtask,
        ExistingSubtaskSummaries = existing ?? [],
    };

    /// <summary>Fires the single keyword rule against a summary: true when it matched.</summary>
    public static bool Hits(string keyword, string text) =>
        Compile(Rule(keywords: [keyword])).Match(Issue(summary: text), SafetyClass.C).Count == 1;

    public static string RepoFile(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MedTechTracker.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine([directory?.FullName ?? throw new InvalidOperationException("Repository root not found."), .. parts]);
    }
}
