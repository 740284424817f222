namespace MedTechTracker.Worker;

public static class WorkerExtensions
{
    /// <summary>The hosted worker that drains the queue. TODO(pipeline): implement.</summary>
    public static IHostApplicationBuilder AddWorker(this IHostApplicationBuilder builder) => builder;
}
