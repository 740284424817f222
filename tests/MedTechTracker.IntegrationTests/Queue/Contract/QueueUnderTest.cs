using MedTechTracker.Queue;

namespace MedTechTracker.IntegrationTests.Queue.Contract;

/// <summary>One instance of an adapter on the queue of one test; <see cref="Owner"/> releases its connections.</summary>
public sealed record QueueUnderTest(IWorkQueue Queue, IDeadLetterQueue DeadLetters, IAsyncDisposable Owner);
