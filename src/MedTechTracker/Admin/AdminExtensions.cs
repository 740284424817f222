using MedTechTracker.Backfill;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

public static class AdminExtensions
{
    /// <summary>Admin API and page services: bearer keys or the page's session cookie, anti-forgery, the project catalog.</summary>
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.AddBackfillServices();
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AdminKeys>();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddAdminRateLimiting();
        builder.Services.AddHostedService<AdminSessionReconciler>();
        builder.Services.AddSingleton<JiraProjectCatalog>();
        builder.Services.AddProblemDetails();

        builder.Services.AddAuthentication()
            .AddPolicyScheme(AdminAuth.Scheme, "Admin key or admin session", options =>
            {
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 ? AdminAuth.BearerScheme : AdminAuth.CookieScheme;

                // Whatever authenticated (or failed to), the API answers a missing or wrong key with 401 problem details.
                options.ForwardChallenge = AdminAuth.BearerScheme;
                options.ForwardForbid = AdminAuth.BearerScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, AdminBearerHandler>(AdminAuth.BearerScheme, _ => { })
            .AddCookie(AdminAuth.CookieScheme, _ => { });

        // Configured through options so the idle timeout comes from Admin:SessionIdleTimeout.
        builder.Services.AddOptions<CookieAuthenticationOptions>(AdminAuth.CookieScheme).Configure<IOptions<AdminOptions>>((cookie, admin) =>
        {
            cookie.Cookie.Name = AdminAuth.CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.Path = "/admin";
            cookie.ExpireTimeSpan = admin.Value.SessionIdleTimeout;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/admin";

            // Every request: the key must still be configured with the same hash and its session epoch unchanged.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var sessions = context.HttpContext.RequestServices.GetRequiredService<AdminSessions>();
                if (context.Principal is null || !await sessions.IsValidAsync(context.Principal, context.HttpContext.RequestAborted).ConfigureAwait(false))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(AdminAuth.CookieScheme).ConfigureAwait(false);
                }
            };
            cookie.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        builder.Services.AddAuthorizationBuilder().AddPolicy(AdminAuth.Policy, policy => policy.AddAuthenticationSchemes(AdminAuth.Scheme).RequireAuthenticatedUser());

        builder.Services.AddAntiforgery(options =>
        {
            options.HeaderName = AdminAuth.AntiforgeryHeader;
            options.FormFieldName = AdminAuth.AntiforgeryField;
            options.Cookie.Name = "mtc-antiforgery";
            options.Cookie.Path = "/admin";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;

            // Antiforgery refuses to run at all over plain HTTP with Always; the session cookie itself is always Secure.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }

    /// <summary>/admin (page) and /admin/api.</summary>
    public static WebApplication MapAdmin(this WebApplication app)
    {
        app.UseAdminSecurityHeaders();
        app.UseAdminLockout();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapAdminApi();
        app.MapAdminPage();
        return app;
    }
}
