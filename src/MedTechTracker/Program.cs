using MedTechTracker.Cli;

// One executable, several roles: `serve` (default), `ingress`, `worker`, `explain`, `rules`, `projects`, `backfill`, `deadletter`.
return await CliApp.RunAsync(args);
