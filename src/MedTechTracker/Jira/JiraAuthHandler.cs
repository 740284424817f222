using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>
/// Adds the bot's credentials: Basic <c>email:token</c>, a fixed Bearer token, or the process's OAuth access token. With
/// OAuth a 401 makes it fetch a new token and send once more; a second 401 is Jira's answer. Never logs a credential.
/// </summary>
public sealed class JiraAuthHandler(IOptions<JiraOptions> options, JiraAccessTokens tokens) : DelegatingHandler
{
    private readonly AuthenticationHeaderValue? _fixed = Create(options.Value);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_fixed is not null)
        {
            request.Headers.Authorization = _fixed;
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var token = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        tokens.Reject(token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static AuthenticationHeaderValue? Create(JiraOptions options) => options.UsesOAuth
        ? null
        : options.UsesBearer
            ? new AuthenticationHeaderValue("Bearer", options.BearerToken!.Trim())
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Email!.Trim()}:{options.ApiToken!.Trim()}")));
}
