namespace MedTechTracker.Shadow;

/// <summary>One project's counts and a fixed-size ring of its latest decisions; every member takes the lock.</summary>
internal sealed class ShadowProjectLog(string projectKey, int capacity)
{
    private readonly Lock _gate = new();
    private readonly ShadowDecision[] _ring = new ShadowDecision[capacity];
    private readonly Dictionary<string, (int Fired, int WouldCreate)> _rules = new(StringComparer.Ordinal);
    private int _next;
    private int _count;
    private int _evaluated;
    private int _withRules;
    private int _wouldCreate;

    public void Add(ShadowDecision decision)
    {
        lock (_gate)
        {
            _ring[_next] = decision;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            _evaluated++;
            _withRules += decision.RulesFired.Count > 0 ? 1 : 0;
            _wouldCreate += decision.WouldCreate.Count;
            foreach (var rule in decision.RulesFired)
            {
                var (fired, create) = _rules.GetValueOrDefault(rule);
                _rules[rule] = (fired + 1, create + decision.WouldCreate.Count(s => s.RuleId == rule));
            }
        }
    }

    public ShadowProjectReport Snapshot(DateTimeOffset since)
    {
        lock (_gate)
        {
            var recent = new ShadowDecision[_count];
            for (var i = 0; i < _count; i++)
            {
                recent[i] = _ring[(_next - 1 - i + _ring.Length) % _ring.Length];
            }

            var rules = _rules
                .Select(r => new ShadowRuleCount(r.Key, r.Value.Fired, r.Value.WouldCreate))
                .OrderByDescending(r => r.Fired)
                .ThenBy(r => r.RuleId, StringComparer.Ordinal)
                .ToList();
            return new ShadowProjectReport(projectKey, since, _evaluated, _withRules, _wouldCreate, rules, recent, _ring.Length);
        }
    }
}
