namespace MedTechTracker.IntegrationTests.Queue.Contract;

internal sealed class AsyncDisposables(params Func<ValueTask>[] disposals) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var dispose in disposals)
        {
            await dispose();
        }
    }
}
