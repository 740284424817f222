using MedTechTracker.Admin;
using MedTechTracker.Backfill;
using MedTechTracker.Ingress;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Rules;
using MedTechTracker.Storage;
using MedTechTracker.Telemetry;
using MedTechTracker.Worker;

namespace MedTechTracker.Hosting;

/// <summary>Composes the web host for a role: every capability adds itself with one AddXyz.</summary>
public static class ServiceHost
{
    public static WebApplication Build(string[] args, ServiceRole role, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton(new ServiceRoleMarker(role));
        builder.AddServiceDefaults();
        builder.AddHttpEdge();
        builder.AddRules();
        builder.AddStorage();
        builder.AddQueue();
        builder.AddJira();
        if (role.HasFlag(ServiceRole.Ingress))
        {
            builder.AddIngress();
            builder.AddAdmin();
        }

        if (role.HasFlag(ServiceRole.Worker))
        {
            builder.AddWorker();
            builder.AddBackfill();
        }

        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseHttpEdge();
        app.MapHealth();
        if (role.HasFlag(ServiceRole.Ingress))
        {
            app.MapIngress();
            app.MapAdmin();
        }

        return app;
    }
}

public sealed record ServiceRoleMarker(ServiceRole Role);
