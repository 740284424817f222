using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>
/// Where the REST calls go: the site URL, or with OAuth and scoped tokens the gateway
/// <c>{GatewayUrl}/ex/jira/{cloudId}</c>, the cloud id configured or read once from <c>{site}/_edge/tenant_info</c>.
/// </summary>
public sealed class JiraEndpoint(IHttpClientFactory httpClients, IOptions<JiraOptions> options) : IDisposable
{
    public const string DiscoveryClientName = "jira-discovery";

    private readonly SemaphoreSlim _resolving = new(1, 1);
    private Uri? _base;

    /// <summary>Null when calls go to <see cref="JiraOptions.BaseUrl"/> as configured.</summary>
    public async ValueTask<Uri?> GatewayBaseAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.UsesGateway || o.BaseUrl!.Contains("/ex/jira/", StringComparison.Ordinal))
        {
            return null;
        }

        if (_base is { } known)
        {
            return known;
        }

        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _base ??= new Uri($"{o.GatewayUrl.TrimEnd('/')}/ex/jira/{o.CloudId ?? await DiscoverCloudIdAsync(o, cancellationToken).ConfigureAwait(false)}");
            return _base;
        }
        finally
        {
            _resolving.Release();
        }
    }

    public void Dispose() => _resolving.Dispose();

    private async Task<string> DiscoverCloudIdAsync(JiraOptions o, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(DiscoveryClientName);
        try
        {
            using var response = await http.GetAsync(new Uri($"{o.BaseUrl!.TrimEnd('/')}/_edge/tenant_info"), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new JiraException($"Jira GET _edge/tenant_info failed with HTTP {(int)response.StatusCode}; set Jira:CloudId.", (int)response.StatusCode, permanent: (int)response.StatusCode is 404);
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("cloudId", out var id) && id.GetString() is { Length: > 0 } cloudId
                && cloudId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
                ? cloudId
                : throw new JiraException("Jira GET _edge/tenant_info answered without a cloudId; set Jira:CloudId.", (int)response.StatusCode, permanent: true);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new JiraException($"Jira GET _edge/tenant_info failed: {ex.GetType().Name}; set Jira:CloudId.", null, permanent: false, ex);
        }
    }
}
