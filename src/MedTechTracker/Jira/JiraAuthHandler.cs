using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>Adds the bot's credentials: Basic <c>email:token</c> or a Bearer token. Never logs them.</summary>
public sealed class JiraAuthHandler(IOptions<JiraOptions> options) : DelegatingHandler
{
    private readonly AuthenticationHeaderValue _header = Create(options.Value);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _header;
        return base.SendAsync(request, cancellationToken);
    }

    private static AuthenticationHeaderValue Create(JiraOptions options) => options.UsesBearer
        ? new AuthenticationHeaderValue("Bearer", options.BearerToken!.Trim())
        : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Email!.Trim()}:{options.ApiToken!.Trim()}")));
}
