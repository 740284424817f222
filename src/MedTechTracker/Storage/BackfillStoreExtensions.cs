namespace MedTechTracker.Storage;

public static class BackfillStoreExtensions
{
    /// <summary>Read-modify-write with optimistic concurrency: re-reads and re-applies <paramref name="change"/> on conflict, so no update is lost.</summary>
    public static async Task<BackfillJob> UpdateAsync(this IBackfillStore store, string id, Func<BackfillJob, BackfillJob> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Backfill job {id} does not exist.");
            var saved = await store.TryReplaceAsync(change(current) with { ETag = current.ETag }, cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return saved;
            }

            if (attempt >= 50)
            {
                throw new InvalidOperationException($"Backfill job {id} could not be updated after {attempt} concurrent conflicts.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken).ConfigureAwait(false);
        }
    }
}
