namespace MedTechTracker.Ingress;

public static class IngressExtensions
{
    /// <summary>Webhook verification options and services. TODO(pipeline): implement.</summary>
    public static IHostApplicationBuilder AddIngress(this IHostApplicationBuilder builder) => builder;

    /// <summary>POST /webhooks/jira. TODO(pipeline): implement.</summary>
    public static WebApplication MapIngress(this WebApplication app) => app;
}
