using System.Diagnostics;
using System.Globalization;
using MedTechTracker.Queue;
using MedTechTracker.Queue.Amqp;
using Microsoft.Extensions.Logging.Abstractions;

namespace MedTechTracker.Benchmarks.Amqp;

/// <summary>
/// Messages per second through the AMQP adapter on a real broker: send (durable, confirmed), receive (peek-lock),
/// complete. A plain stopwatch run, not BenchmarkDotNet: the broker and the network are the thing measured.
///   dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- amqp [--address amqp://…] [--messages N]
///     [--senders N] [--receivers N] [--prefetch N]
/// </summary>
internal static class AmqpThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var address = Option(args, "--address") ?? Environment.GetEnvironmentVariable("MTC_TEST_AMQP_ADDRESS") ?? "amqp://guest:guest@127.0.0.1:5672";
        var messages = int.Parse(Option(args, "--messages") ?? "20000", CultureInfo.InvariantCulture);
        var senders = int.Parse(Option(args, "--senders") ?? "64", CultureInfo.InvariantCulture);
        var receivers = int.Parse(Option(args, "--receivers") ?? "16", CultureInfo.InvariantCulture);
        var prefetch = int.Parse(Option(args, "--prefetch") ?? "200", CultureInfo.InvariantCulture);
        var queueName = "mtc-bench-" + Guid.NewGuid().ToString("N")[..12];

        var settings = AmqpQueueSettings.From(new AmqpQueueOptions
        {
            Provider = "Amqp",
            Name = queueName,
            Prefetch = prefetch,
            Amqp = new GenericAmqpOptions { Address = address },
        });
        await using var connections = new AmqpConnectionManager(settings, TimeProvider.System, NullLogger<AmqpConnectionManager>.Instance);
        var queue = new AmqpWorkQueue(connections, TimeProvider.System, NullLogger<AmqpWorkQueue>.Instance);
        await queue.EnqueueAsync(Reference(-1), CancellationToken.None);
        await Drain(queue, 1, 1);

        Console.WriteLine($"AMQP adapter throughput: {messages} messages, {senders} concurrent senders, {receivers} concurrent receivers, prefetch {prefetch}, queue {queueName} on {new Uri(address).Host}:{new Uri(address).Port}");
        var total = Stopwatch.StartNew();
        var sendTime = Stopwatch.StartNew();
        var receiving = Task.Run(() => Drain(queue, messages, receivers));
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

        Console.WriteLine($"send (durable, broker-confirmed):     {messages / sendTime.Elapsed.TotalSeconds,10:N0} msg/s");
        Console.WriteLine($"send + receive + complete, end to end: {messages / total.Elapsed.TotalSeconds,10:N0} msg/s ({total.Elapsed.TotalSeconds:N2} s)");
        return 0;
    }

    private static async Task Drain(AmqpWorkQueue queue, int count, int receivers)
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
}
