using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>A small rules file of the pipeline tests' own (the default pack is tuned elsewhere).</summary>
internal static class PipelineRules
{
    public const string Json = """
        {
          "version": 1,
          "summaryTemplate": "Compliance: {title} ({standard} {clause})",
          "rules": [
            { "id": "risk-analysis", "title": "Update the risk analysis", "standard": "ISO 14971", "clause": "§5",
              "keywords": ["hazard", "risk assessment"], "instructions": ["Identify the hazards the change introduces."], "evidence": ["Risk management file entry"] },
            { "id": "cybersecurity", "title": "Assess the security impact", "standard": "IEC 81001-5-1", "clause": "§5.1",
              "keywords": ["password", "encryption"], "instructions": ["Update the threat model."], "evidence": ["Threat model revision"] },
            { "id": "usability", "title": "Evaluate usability", "standard": "IEC 62366-1", "clause": "§5.9",
              "safetyClasses": ["B", "C"], "keywords": ["alarm", "user interface"], "instructions": ["Run a formative evaluation."], "evidence": ["Usability evaluation report"] }
          ]
        }
        """;

    public static string WriteTo(string directory)
    {
        var path = Path.Combine(directory, "pipeline-rules.json");
        File.WriteAllText(path, Json);
        return path;
    }

    /// <summary>The sub-task summaries the planner wants for an issue with this text (safety class C).</summary>
    public static IReadOnlyList<string> ExpectedSummaries(string summary, string description)
    {
        var rules = new CompiledRuleSet(RuleSetLoader.Load(Json, "pipeline-rules.json"));
        var plan = Planner.Plan(rules, new IssueSnapshot { Key = "X-1", IssueType = "Story", Summary = summary, Description = description }, SafetyClass.C);
        return [.. plan.ToCreate.Select(s => s.Summary)];
    }
}
