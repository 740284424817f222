namespace MedTechTracker.Jira;

/// <summary>Sends each request to the gateway when the bot authenticates through it (outside the retries: rewritten once).</summary>
public sealed class JiraEndpointHandler(JiraEndpoint endpoint) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await endpoint.GatewayBaseAsync(cancellationToken).ConfigureAwait(false) is { } gateway && request.RequestUri is { } uri)
        {
            request.RequestUri = new Uri(gateway.AbsoluteUri.TrimEnd('/') + uri.PathAndQuery);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
