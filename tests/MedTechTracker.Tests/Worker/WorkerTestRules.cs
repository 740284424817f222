using MedTechTracker.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Tests.Worker;

/// <summary>A small rules file of its own, so these tests do not move when the default rule pack is tuned.</summary>
internal static class WorkerTestRules
{
    public const string Json = """
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

    public static RulesProvider CreateProvider(string directory)
    {
        var path = Path.Combine(directory, "rules.json");
        File.WriteAllText(path, Json);
        return new RulesProvider(Options.Create(new RulesOptions { Path = path }), NullLogger<RulesProvider>.Instance);
    }
}
