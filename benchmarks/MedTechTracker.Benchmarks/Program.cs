using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/MedTechTracker.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(MedTechTracker.Benchmarks.Rules.MatcherBenchmarks).Assembly).Run(args);
