using System.Text.Json.Nodes;

namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>An issue as the simulator keeps it; sub-tasks point at their parent.</summary>
public sealed class SimulatedIssue
{
    public required string Id { get; init; }
    public required string Key { get; init; }
    public required SimulatedProject Project { get; init; }
    public required IssueType Type { get; init; }
    public required string Summary { get; set; }

    /// <summary>An ADF document (REST v3 form) or null.</summary>
    public JsonNode? Description { get; set; }

    /// <summary>Issue properties (key → JSON value), as apps store them.</summary>
    public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);

    public string? ParentKey { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public DateTimeOffset Created { get; init; }
    public string? CreatedByAccountId { get; init; }
    public List<string> SubtaskKeys { get; } = [];
}
