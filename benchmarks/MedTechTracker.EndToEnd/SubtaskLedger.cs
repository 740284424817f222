using System.Diagnostics;
using System.Text.Json.Nodes;
using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.EndToEnd;

/// <summary>
/// Which sub-tasks each seeded issue is due (the service's own <c>explain --json</c> asked once per issue text),
/// and what the simulated Jira holds: missing, surplus and duplicated sub-tasks.
/// </summary>
internal sealed class SubtaskLedger(SimulatedJira jira, ServeHost host)
{
    private readonly Dictionary<string, IReadOnlyList<string>> _dueByText = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _dueByKey = new(StringComparer.Ordinal);

    /// <summary>Sub-task summaries due for this issue.</summary>
    public IReadOnlyList<string> Due(string key) => _dueByKey[key];

    public int DueCount(IEnumerable<SimulatedIssue> issues) => issues.Sum(i => _dueByKey[i.Key].Count);

    /// <summary>Records what the issues are due; issue texts that differ only in digits are explained once.</summary>
    public async Task AddAsync(IEnumerable<SimulatedIssue> issues)
    {
        foreach (var issue in issues)
        {
            var text = new string([.. (issue.Type.Name + "\n" + issue.Summary + "\n" + Adf.ToText(issue.Description)).Where(c => !char.IsAsciiDigit(c))]);
            if (!_dueByText.TryGetValue(text, out var due))
            {
                due = await ExplainAsync(issue);
                _dueByText[text] = due;
                Console.WriteLine($"  explain {issue.Key} “{issue.Summary}”: {due.Count} sub-task(s) due: {string.Join("; ", due)}");
            }

            _dueByKey[issue.Key] = due;
        }
    }

    /// <summary>Polls the simulator until every issue holds its due sub-tasks or the deadline passes; the issues still short of them.</summary>
    public async Task<List<SimulatedIssue>> WaitForAllAsync(IEnumerable<SimulatedIssue> issues, TimeSpan timeout, Action<int>? progress = null)
    {
        var pending = issues.ToList();
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        while (true)
        {
            pending.RemoveAll(i => jira.SubtasksOf(i.Key).Count >= _dueByKey[i.Key].Count);
            if (pending.Count == 0 || clock.Elapsed > timeout)
            {
                return pending;
            }

            if (progress is not null && clock.Elapsed - reported >= TimeSpan.FromSeconds(10))
            {
                reported = clock.Elapsed;
                progress(pending.Count);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>What the simulator holds for the issues compared with what they are due.</summary>
    public SubtaskTally Tally(IEnumerable<SimulatedIssue> issues)
    {
        int created = 0, due = 0, missing = 0, surplus = 0, duplicated = 0;
        foreach (var issue in issues)
        {
            var summaries = jira.SubtasksOf(issue.Key).Select(s => s.Summary).ToList();
            var expected = _dueByKey[issue.Key];
            created += summaries.Count;
            due += expected.Count;
            missing += expected.Count(e => !summaries.Contains(e, StringComparer.Ordinal));
            surplus += summaries.Count(s => !expected.Contains(s, StringComparer.Ordinal));
            duplicated += summaries.GroupBy(s => s, StringComparer.Ordinal).Any(g => g.Count() > 1) ? 1 : 0;
        }

        return new SubtaskTally(created, due, missing, surplus, duplicated);
    }

    private async Task<IReadOnlyList<string>> ExplainAsync(SimulatedIssue issue)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mtc-e2e-explain-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Webhooks.Created(issue));
        try
        {
            var plan = JsonNode.Parse(await host.RunAsync("explain", "--json", file));
            return [.. (plan?["subtasks"] as JsonArray ?? []).Select(s => s!["summary"]!.GetValue<string>())];
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>Sub-tasks found against those due. <see cref="DuplicatedParents"/>: parents with two sub-tasks of one summary (must be 0).</summary>
internal sealed record SubtaskTally(int Created, int Due, int Missing, int Surplus, int DuplicatedParents);
