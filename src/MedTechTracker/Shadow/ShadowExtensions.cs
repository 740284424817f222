using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MedTechTracker.Shadow;

public static class ShadowExtensions
{
    /// <summary>The in-memory Shadow report the worker writes and the admin API and page read (one per process).</summary>
    public static IHostApplicationBuilder AddShadowReport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShadowOptions>().BindConfiguration(ShadowOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ShadowReport>();
        return builder;
    }
}
