using System.Text.Json.Nodes;
using MedTechTracker.Jira;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Worker;

/// <summary>
/// Which rules already fired for an issue, kept by the bot on the issue itself: the issue property
/// <see cref="PropertyKey"/> holds <c>{"version":1,"firedRules":["risk-analysis",…]}</c>, rule ids only, never issue text.
/// When a person deletes a compliance sub-task, its rule id stays here, so a later edit does not recreate it
/// (the deletion is a decision; the audit trail of it is the sub-task's history in Jira). Nothing is stored on our side,
/// the record moves with the issue (a move to another project keeps it), and it survives our data directory.
/// </summary>
public sealed class FiredRulesLedger(IJiraIssueProperties properties)
{
    public const string PropertyKey = JiraClient.TrackerPropertyKey;
    private const int MaxRuleIdLength = 100;

    /// <summary>The rule ids recorded for the issue; empty when none were (an issue the bot never wrote to, or one from before this record existed).</summary>
    public async Task<IReadOnlySet<string>> ReadAsync(string issueKey, CancellationToken cancellationToken) =>
        Parse(await properties.GetIssuePropertyAsync(issueKey, PropertyKey, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The record as read together with the issue (<c>GET issue?properties=…</c>), without a call of its own; reads it
    /// when Jira's answer carried no properties.
    /// </summary>
    public async Task<IReadOnlySet<string>> ReadAsync(IssueSnapshot issue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issue);
        if (issue.Properties is null)
        {
            return await ReadAsync(issue.Key, cancellationToken).ConfigureAwait(false);
        }

        return issue.Properties.TryGetValue(PropertyKey, out var raw) ? Parse(JsonNode.Parse(raw)) : new HashSet<string>(StringComparer.Ordinal);
    }

    private static HashSet<string> Parse(JsonNode? value)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (value is JsonObject record && record["firedRules"] is JsonArray fired)
        {
            foreach (var item in fired)
            {
                // Anyone with edit rights can write an issue property: only well-formed rule ids are believed.
                if (item is JsonValue id && id.TryGetValue<string>(out var text) && IsRuleId(text))
                {
                    ids.Add(text);
                }
            }
        }

        return ids;
    }

    public Task WriteAsync(string issueKey, IEnumerable<string> ruleIds, CancellationToken cancellationToken)
    {
        var fired = new JsonArray();
        foreach (var id in ruleIds.Where(IsRuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            fired.Add(id);
        }

        return properties.SetIssuePropertyAsync(issueKey, PropertyKey, new JsonObject { ["version"] = 1, ["firedRules"] = fired }, cancellationToken);
    }

    private static bool IsRuleId(string id) =>
        id.Length is > 0 and <= MaxRuleIdLength && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
