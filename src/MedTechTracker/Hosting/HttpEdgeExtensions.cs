using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Hosting;

public static class HttpEdgeExtensions
{
    /// <summary>Where requests come from (trusted proxies' forwarded headers only) and HSTS on HTTPS.</summary>
    public static IHostApplicationBuilder AddHttpEdge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            // With no known proxy the middleware would trust every sender, so without configuration nothing is forwarded.
            var any = trusted.Value.KnownProxies.Count > 0 || trusted.Value.KnownNetworks.Count > 0;
            forwarded.ForwardedHeaders = any ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            forwarded.ForwardLimit = 1;

            // ASP.NET Core trusts loopback by default; only what is configured is trusted here.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in trusted.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = false;
        });
        return builder;
    }

    /// <summary>First in the pipeline, so limits, log lines and HTTPS detection see the real client.</summary>
    public static WebApplication UseHttpEdge(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseHsts();
        return app;
    }
}
