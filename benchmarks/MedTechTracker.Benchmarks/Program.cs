using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- backfill [ISSUES] [PAGE_SIZE]
if (args is ["backfill", ..])
{
    return await MedTechTracker.Benchmarks.Backfill.BackfillLoad.RunAsync(args[1..]);
}

// dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- amqp   (Service Bus adapter throughput, see ServiceBus/ServiceBusThroughput.cs)
if (args.Length > 0 && args[0] == "amqp")
{
    return await MedTechTracker.Benchmarks.ServiceBus.ServiceBusThroughput.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(MedTechTracker.Benchmarks.Rules.MatcherBenchmarks).Assembly).Run(args);
return 0;
