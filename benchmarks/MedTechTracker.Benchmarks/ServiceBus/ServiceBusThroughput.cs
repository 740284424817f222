using System.Diagnostics;
using System.Globalization;
using Azure.Messaging.ServiceBus;
using MedTechTracker.Queue;
using MedTechTracker.Queue.ServiceBus;
using MedTechTracker.TestSupport.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Benchmarks.ServiceBus;

/// <summary>
/// Messages per second through the Service Bus queue adapter (Azure.Messaging.ServiceBus) against the local test broker
/// (in this process, on loopback): send, receive (peek-lock with prefetch), complete, all at once. A plain stopwatch
/// run, not BenchmarkDotNet: the broker round trips are the thing measured. (Until the hand-written AMQPNetLite adapter
/// was deleted it ran here too, alternating with the SDK: see benchmarks/README.md.)
///   dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- amqp [--messages N] [--senders N]
///     [--receivers N] [--prefetch N] [--rounds N]
/// </summary>
internal static class ServiceBusThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = int.Parse(Option(args, "--messages") ?? "20000", CultureInfo.InvariantCulture);
        var senders = int.Parse(Option(args, "--senders") ?? "64", CultureInfo.InvariantCulture);
        var receivers = int.Parse(Option(args, "--receivers") ?? "16", CultureInfo.InvariantCulture);
        var prefetch = int.Parse(Option(args, "--prefetch") ?? "100", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "2", CultureInfo.InvariantCulture);

        using var broker = new ServiceBusTestBroker();
        Console.WriteLine($"Service Bus adapter against the test broker on 127.0.0.1:{broker.Port}: {messages} messages, {senders} concurrent senders, {receivers} concurrent receivers, prefetch {prefetch}, {rounds} rounds each");
        for (var round = 1; round <= rounds; round++)
        {
            await MeasureAsync($"Azure.Messaging.ServiceBus, round {round}", broker, messages, senders, receivers, name => Sdk(broker, name, prefetch));
        }

        return 0;
    }

    private static async Task MeasureAsync(string label, ServiceBusTestBroker broker, int messages, int senders, int receivers, Func<string, (IWorkQueue Queue, IAsyncDisposable Owner)> create)
    {
        var name = "bench-" + Guid.NewGuid().ToString("N")[..12];
        broker.CreateQueue(name, new BrokerQueueOptions { LockDuration = TimeSpan.FromMinutes(5) });
        var (queue, owner) = create(name);
        await using (owner)
        {
            // Warm-up: connection, links, token, JIT.
            await queue.EnqueueAsync(Reference(-1), CancellationToken.None);
            await DrainAsync(queue, 1, 1);

            var total = Stopwatch.StartNew();
            var sendTime = Stopwatch.StartNew();
            var receiving = Task.Run(() => DrainAsync(queue, messages, receivers));
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < messages)
                {
                    await queue.EnqueueAsync(Reference(i), CancellationToken.None);
                }
            })));
            sendTime.Stop();
            await receiving;
            total.Stop();
            Console.WriteLine($"{label,-40} send {messages / sendTime.Elapsed.TotalSeconds,8:N0} msg/s   send + receive + complete {messages / total.Elapsed.TotalSeconds,8:N0} msg/s ({total.Elapsed.TotalSeconds:N2} s)");
        }
    }

    private static (IWorkQueue, IAsyncDisposable) Sdk(ServiceBusTestBroker broker, string name, int prefetch)
    {
        var options = new ServiceBusOptions { ConnectionString = broker.ConnectionString, TryTimeout = TimeSpan.FromSeconds(30) };
        var client = ServiceBusQueueExtensions.CreateClient(options);
        var queue = new ServiceBusWorkQueue(client, Options.Create(new QueueOptions { Name = name, Prefetch = prefetch }), Options.Create(options), TimeProvider.System, NullLogger<ServiceBusWorkQueue>.Instance);
        return (queue, new Owner(async () =>
        {
            await queue.DisposeAsync();
            await client.DisposeAsync();
        }));
    }

    private static async Task DrainAsync(IWorkQueue queue, int count, int receivers)
    {
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, receivers).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref done) < count)
            {
                var leased = await queue.ReceiveAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
                if (leased is null)
                {
                    continue;
                }

                await queue.CompleteAsync(leased, CancellationToken.None);
                Interlocked.Increment(ref done);
            }
        })));
    }

    private static IssueReference Reference(int i) =>
        new($"bench-{i}", (10_000 + i).ToString(CultureInfo.InvariantCulture), $"BENCH-{i}", "BENCH", DateTimeOffset.UtcNow, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private sealed class Owner(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}
