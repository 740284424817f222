namespace MedTechTracker.Admin;

public static class AdminAuth
{
    public const string Policy = "Admin";
    public const string Scheme = "Admin";
    public const string BearerScheme = "AdminBearer";
    public const string CookieScheme = "AdminCookie";
    public const string CookieName = "mtc-admin";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";
    public const string AntiforgeryField = "__RequestVerificationToken";

    /// <summary>The admin's key name (the identity every change is logged with; never the key).</summary>
    public static string NameOf(System.Security.Claims.ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    /// <summary>The client's address for limits and log lines: the connection's, or a trusted proxy's X-Forwarded-For (ForwardedHeaders).</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
