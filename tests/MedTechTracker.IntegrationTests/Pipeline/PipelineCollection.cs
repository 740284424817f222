namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>Pipeline tests start real hosts and processes: one at a time keeps them reliable on a loaded 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PipelineCollection
{
    public const string Name = "Pipeline";
}
