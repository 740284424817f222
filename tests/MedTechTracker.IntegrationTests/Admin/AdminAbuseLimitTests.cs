using System.Net;
using System.Text.RegularExpressions;
using MedTechTracker.IntegrationTests.Backfill;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>Guessing admin keys is slow: rate limits per client address, a lockout with back-off, the address in the refusal log line.</summary>
public sealed partial class AdminAbuseLimitTests : IDisposable
{
    private const string ProxiedClient = "203.0.113.7";
    private readonly BackfillHarness _harness = new();

    public AdminAbuseLimitTests() => _harness.Jira.Generate("MED", 1);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Wrong_bearer_keys_lock_the_client_out_with_429_and_Retry_After_and_the_log_names_the_client()
    {
        await using var host = await AdminHost.StartAsync(_harness, TrustLoopbackProxy());
        using var client = host.Client("not the admin key");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, "/admin/api/projects", ProxiedClient);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), statuses.Take(5));
        Assert.All(statuses.Skip(5), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Contains(host.Logs.Lines, l => l.Contains("refused: unknown key", StringComparison.Ordinal) && l.Contains(ProxiedClient, StringComparison.Ordinal));

        // The lockout is per client: the right key from another address still works.
        using var admin = host.Client(AdminHost.AdminKey);
        using var other = await SendAsync(admin, HttpMethod.Get, "/admin/api/projects", "198.51.100.9");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_admin_api_is_rate_limited_per_client_even_with_the_right_key()
    {
        await using var host = await AdminHost.StartAsync(_harness, new Dictionary<string, string?>(TrustLoopbackProxy()) { ["Admin:ApiPermitsPerMinute"] = "10" });
        using var client = host.Client(AdminHost.AdminKey);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await SendAsync(client, HttpMethod.Get, "/admin/api/rules", ProxiedClient);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(2));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        using var limited = await SendAsync(client, HttpMethod.Get, "/admin/api/rules", ProxiedClient);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        using var otherClient = await SendAsync(client, HttpMethod.Get, "/admin/api/rules", "198.51.100.9");
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_and_wrong_keys_lock_the_client_out()
    {
        await using var host = await AdminHost.StartAsync(_harness);
        using var client = host.Client();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            statuses.Add(await WrongSignInAsync(client));
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), statuses.Take(5));
        Assert.All(statuses.Skip(5), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Contains(host.Logs.Lines, l => l.Contains("sign-in from 127.0.0.1 refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task More_sign_in_posts_than_the_limit_get_429_whatever_they_carry()
    {
        await using var host = await AdminHost.StartAsync(_harness, new Dictionary<string, string?> { ["Admin:LoginPermitsPerMinute"] = "3" });
        using var client = host.Client();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = "guess" }));
            statuses.Add(response.StatusCode);
            if (i == 4)
            {
                Assert.NotNull(response.Headers.RetryAfter?.Delta);
            }
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task X_Forwarded_For_is_ignored_unless_it_comes_from_a_configured_proxy()
    {
        await using var host = await AdminHost.StartAsync(_harness);
        using var client = host.Client("not the admin key");

        using var response = await SendAsync(client, HttpMethod.Get, "/admin/api/projects", ProxiedClient);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(host.Logs.Lines.Any(l => l.Contains("from 127.0.0.1 refused", StringComparison.Ordinal)), string.Join("\n", host.Logs.Lines.Where(l => l.Contains("Admin", StringComparison.Ordinal))));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(ProxiedClient, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HTTPS_responses_carry_HSTS_and_plain_HTTP_ones_do_not()
    {
        await using var host = await AdminHost.StartAsync(_harness, TrustLoopbackProxy());
        using var client = host.Client();

        using var https = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        https.Headers.Host = "tracker.example.com";
        https.Headers.Add("X-Forwarded-Proto", "https");
        using var secure = await client.SendAsync(https);
        using var plain = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        plain.Headers.Host = "tracker.example.com";
        using var insecure = await client.SendAsync(plain);

        Assert.Contains("max-age=31536000", string.Join(",", secure.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        Assert.False(insecure.Headers.Contains("Strict-Transport-Security"));
    }

    private static Dictionary<string, string?> TrustLoopbackProxy() => new() { ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" };

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string forwardedFor)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }

    private static async Task<HttpStatusCode> WrongSignInAsync(HttpClient client)
    {
        var form = await client.GetAsync("/admin");
        var token = FormToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var antiforgery = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mtc-antiforgery=", StringComparison.Ordinal)).Split(';')[0];
        using var login = new HttpRequestMessage(HttpMethod.Post, "/admin/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = "a wrong guess", ["__RequestVerificationToken"] = token }),
        };
        login.Headers.Add("Cookie", antiforgery);
        using var response = await client.SendAsync(login);
        return response.StatusCode;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
