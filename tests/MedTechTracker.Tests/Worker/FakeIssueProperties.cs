using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MedTechTracker.Jira;

namespace MedTechTracker.Tests.Worker;

/// <summary>Issue properties in memory, with every read and write counted.</summary>
internal sealed class FakeIssueProperties : IJiraIssueProperties
{
    private readonly ConcurrentDictionary<(string Issue, string Property), string> _values = new();

    public int Reads;

    public int Writes;

    public JsonNode? Value(string issueKey, string propertyKey) =>
        _values.TryGetValue((issueKey, propertyKey), out var json) ? JsonNode.Parse(json) : null;

    public Task<JsonNode?> GetIssuePropertyAsync(string issueKey, string propertyKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        return Task.FromResult(Value(issueKey, propertyKey));
    }

    public Task SetIssuePropertyAsync(string issueKey, string propertyKey, JsonObject value, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        _values[(issueKey, propertyKey)] = value.ToJsonString();
        return Task.CompletedTask;
    }
}
