namespace MedTechTracker.TestSupport;

/// <summary>The one poll helper of both test projects: waits (real time, generously) until a condition holds, or fails the test.</summary>
public static class Poll
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
