using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>
/// The process's one OAuth 2.0 client-credentials token: fetched on first use, shared by every caller, renewed before it
/// expires and when Jira rejects it (see <see cref="Reject"/>). One fetch at a time; the secret and the tokens are never logged.
/// </summary>
public sealed partial class JiraAccessTokens(IHttpClientFactory httpClients, IOptions<JiraOptions> options, TimeProvider time, ILogger<JiraAccessTokens> logger) : IDisposable
{
    public const string HttpClientName = "jira-oauth";

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile AccessToken? _current;
    private int _fetched;

    /// <summary>How many tokens this process fetched.</summary>
    public int Fetched => Volatile.Read(ref _fetched);

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RenewAt)
        {
            return current.Value;
        }

        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } again && time.GetUtcNow() < again.RenewAt)
            {
                return again.Value;
            }

            var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
            _current = fresh;
            return fresh.Value;
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <summary>Jira answered 401 to <paramref name="token"/>: the next <see cref="GetAsync"/> fetches a new one (once for all callers).</summary>
    public void Reject(string token)
    {
        var current = _current;
        if (current is not null && string.Equals(current.Value, token, StringComparison.Ordinal))
        {
            _current = null;
            LogRejected(logger);
        }
    }

    public void Dispose() => _fetching.Dispose();

    private async Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
    {
        var oauth = options.Value.OAuth;
        var http = httpClients.CreateClient(HttpClientName);
        var body = new JsonObject
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = oauth.ClientId!.Trim(),
            ["client_secret"] = oauth.ClientSecret!.Trim(),
        };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(new Uri(oauth.TokenUrl), body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            throw new JiraException($"OAuth token request failed: {ex.GetType().Name}.", null, permanent: false, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // 400/401/403: the client id or secret is wrong or revoked; no retry can fix that.
                var permanent = status is 400 or 401 or 403;
                throw new JiraException($"OAuth token request failed with HTTP {status}{(permanent ? ": the client credentials were refused" : "")}.", status, permanent);
            }

            string? token = null;
            double? expiresIn = null;
            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    token = root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    expiresIn = root.TryGetProperty("expires_in", out var e) && e.TryGetDouble(out var seconds) ? seconds : null;
                }
            }
            catch (JsonException)
            {
            }

            if (string.IsNullOrEmpty(token))
            {
                throw new JiraException("OAuth token answer holds no access_token.", status, permanent: false);
            }

            var lifetime = TimeSpan.FromSeconds(expiresIn is > 0 ? expiresIn.Value : 3600);
            var margin = oauth.RefreshBefore < lifetime / 4 ? oauth.RefreshBefore : lifetime / 4;
            Interlocked.Increment(ref _fetched);
            LogFetched(logger, lifetime.TotalSeconds);
            return new AccessToken(token, time.GetUtcNow() + lifetime - margin);
        }
    }

    private sealed record AccessToken(string Value, DateTimeOffset RenewAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuth access token fetched (lifetime {Seconds} s)")]
    private static partial void LogFetched(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jira refused the OAuth access token (401); fetching a new one")]
    private static partial void LogRejected(ILogger logger);
}
