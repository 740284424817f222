using Microsoft.AspNetCore.Antiforgery;

namespace MedTechTracker.Admin;

/// <summary>
/// A browser sends the session cookie by itself, so a state-changing API call authenticated by the cookie must
/// also carry the anti-forgery token (header X-CSRF-TOKEN). A bearer key is never sent by a browser on its own,
/// so bearer calls need none.
/// </summary>
public sealed class AdminAntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && http.User.Identity?.AuthenticationType != AdminAuth.BearerScheme)
        {
            try
            {
                await antiforgery.ValidateRequestAsync(http).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "Anti-forgery token missing or invalid",
                    detail: "Changes made with the admin session cookie must carry the page's anti-forgery token (header X-CSRF-TOKEN). Reload /admin and try again.");
            }
        }

        return await next(context).ConfigureAwait(false);
    }
}
