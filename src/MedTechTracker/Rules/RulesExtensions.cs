namespace MedTechTracker.Rules;

public static class RulesExtensions
{
    public static IHostApplicationBuilder AddRules(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RulesProvider>();
        return builder;
    }
}
