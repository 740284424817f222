using System.Collections.Concurrent;
using System.Globalization;
using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Backfill;

internal sealed class InMemoryBackfillStore : IBackfillStore
{
    private readonly ConcurrentDictionary<string, BackfillJob> _jobs = new();
    private readonly Lock _gate = new();
    private int _version;

    public List<BackfillJob> Writes { get; } = [];

    /// <summary>Sampled at every write (e.g. how many sub-tasks Jira holds at that moment).</summary>
    public Func<int>? Probe { get; set; }

    public List<int> ProbeAtWrite { get; } = [];

    public Task<BackfillJob> CreateAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var saved = job with { ETag = NextVersion() };
            _jobs[job.Id] = saved;
            Writes.Add(saved);
            ProbeAtWrite.Add(Probe?.Invoke() ?? 0);
            return Task.FromResult(saved);
        }
    }

    public Task<BackfillJob?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_jobs.GetValueOrDefault(id));

    public Task<IReadOnlyList<BackfillJob>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<BackfillJob>>([.. _jobs.Values]);

    public Task<BackfillJob?> TryReplaceAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(job.Id, out var current) || current.ETag != job.ETag)
            {
                return Task.FromResult<BackfillJob?>(null);
            }

            var saved = job with { ETag = NextVersion() };
            _jobs[job.Id] = saved;
            Writes.Add(saved);
            ProbeAtWrite.Add(Probe?.Invoke() ?? 0);
            return Task.FromResult<BackfillJob?>(saved);
        }
    }

    private string NextVersion() => (++_version).ToString(CultureInfo.InvariantCulture);
}
