namespace MedTechTracker.Jira;

public static class JiraExtensions
{
    /// <summary>Refit Jira client with auth and one resilience pipeline. TODO(jira): implement.</summary>
    public static IHostApplicationBuilder AddJira(this IHostApplicationBuilder builder) => builder;
}
