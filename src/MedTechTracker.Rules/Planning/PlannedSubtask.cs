using System.Text.Json.Nodes;

namespace MedTechTracker.Rules.Planning;

/// <summary>A compliance sub-task the planner wants under a parent issue.</summary>
public sealed record PlannedSubtask(string RuleId, string Summary, IReadOnlyList<string> Labels, JsonObject Description);
