using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary><c>Authorization: Bearer &lt;admin key&gt;</c>. A challenge answers 401 with problem details saying how to authenticate.</summary>
public sealed partial class AdminBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminKeys keys,
    AdminLockout lockout) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header is not a Bearer admin key."));
        }

        var name = keys.NameOf(header["Bearer ".Length..].Trim());
        if (name is null)
        {
            lockout.Failed(Context.Connection.RemoteIpAddress);
            LogRefused(Logger, AdminAuth.ClientOf(Context));
            return Task.FromResult(AuthenticateResult.Fail("Unknown admin key."));
        }

        lockout.Succeeded(Context.Connection.RemoteIpAddress);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], AdminAuth.BearerScheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), AdminAuth.BearerScheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"medtech-tracker-admin\"";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Admin key required",
            detail: "Send `Authorization: Bearer <admin key>` with a key configured as Admin__Keys__<name>=<hex SHA-256 of the key>, or log in at /admin.")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin API request from {Client} refused: unknown key")]
    private static partial void LogRefused(ILogger logger, string client);
}
