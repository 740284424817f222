using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>
/// Limits on guessing: ASP.NET Core's rate limiter per client address on POST /admin/login and /admin/api, and the
/// <see cref="AdminLockout"/> after repeated wrong keys. Refusals are 429 with <c>Retry-After</c> and are logged with
/// the client address (the trusted proxy's <c>X-Forwarded-For</c>, see <c>ForwardedHeaders</c>).
/// </summary>
public static partial class AdminRateLimiting
{
    public const string LoginPolicy = "admin-login";
    public const string ApiPolicy = "admin-api";
    private const string LoggerName = "MedTechTracker.Admin";

    public static IServiceCollection AddAdminRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<AdminLockout>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptionsMonitor<AdminOptions>>((limiter, admin) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(LoginPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                AdminAuth.ClientOf(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = admin.CurrentValue.LoginPermitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.AddPolicy(ApiPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                AdminAuth.ClientOf(context),
                _ => new TokenBucketRateLimiterOptions
                {
                    // A burst of a fifth of a minute's allowance, then one request per 1/N minute.
                    TokenLimit = Math.Max(1, admin.CurrentValue.ApiPermitsPerMinute / 5),
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) / admin.CurrentValue.ApiPermitsPerMinute,
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
                LogRateLimited(rejected.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerName), AdminAuth.ClientOf(rejected.HttpContext), rejected.HttpContext.Request.Path.Value ?? "");
                await TooManyAsync(rejected.HttpContext, retryAfter, "Too many admin requests from this address.").ConfigureAwait(false);
            };
        });
        return services;
    }

    /// <summary>A locked-out address gets 429 before any key is compared.</summary>
    public static void UseAdminLockout(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        var guarded = path.StartsWithSegments("/admin/api", StringComparison.OrdinalIgnoreCase)
            || (HttpMethods.IsPost(context.Request.Method) && path.StartsWithSegments("/admin/login", StringComparison.OrdinalIgnoreCase));
        if (guarded && context.RequestServices.GetRequiredService<AdminLockout>().RetryAfter(context.Connection.RemoteIpAddress) is { } wait)
        {
            LogLockedOut(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerName), AdminAuth.ClientOf(context), path.Value ?? "");
            await TooManyAsync(context, wait, "Too many wrong admin keys from this address; wait before trying again.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    });

    private static async Task TooManyAsync(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail + " See the Retry-After header.")
            .ExecuteAsync(context).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin request from {Client} to {Path} refused: rate limit")]
    private static partial void LogRateLimited(ILogger logger, string client, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin request from {Client} to {Path} refused: locked out after wrong keys")]
    private static partial void LogLockedOut(ILogger logger, string client, string path);
}
