using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Worker;

/// <summary>The queue worker, bound from the "Worker" section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>
    /// The most messages worked on at once. Below it the worker follows Jira: <see cref="WorkerConcurrency.IssuesPerJiraSlot"/>
    /// messages per call Jira's rate governor currently allows (<c>Jira:MaxConcurrency</c> at most), so the number grows
    /// while Jira answers fast and shrinks on 429s and slow answers.
    /// </summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 64;

    /// <summary>
    /// How long sub-tasks handed in for a shared bulk create wait for the other messages in flight before the call is sent
    /// anyway (a full call of 50, or every message in flight having handed in, sends it at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan BulkCreateLinger { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one receive call waits for a message before looping (and noticing shutdown).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan ReceiveWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>On shutdown, how long in-flight messages may finish before they are abandoned.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the lease of a message still being worked on is renewed. The worker renews sooner
    /// when less than twice this interval is left on the lease.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan LockRenewalInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Wait after the queue itself failed (unreachable file, broker down) before receiving again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ReceiveErrorDelay { get; set; } = TimeSpan.FromSeconds(1);
}
