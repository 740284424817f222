using System.Text.Json.Serialization;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Shadow;

/// <summary>What the worker decided for one issue of a Shadow project: issue key, rules fired, what it would create, when.</summary>
public sealed record ShadowDecision(
    string IssueKey,
    DateTimeOffset At,
    [property: JsonConverter(typeof(JsonStringEnumConverter<SafetyClass>))] SafetyClass SafetyClass,
    IReadOnlyList<string> RulesFired,
    IReadOnlyList<ShadowSubtask> WouldCreate,
    int AlreadyPresent);
