using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- backfill [ISSUES] [PAGE_SIZE]
if (args is ["backfill", ..])
{
    return await MedTechTracker.Benchmarks.Backfill.BackfillLoad.RunAsync(args[1..]);
}

// dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(MedTechTracker.Benchmarks.Rules.MatcherBenchmarks).Assembly).Run(args);
return 0;
