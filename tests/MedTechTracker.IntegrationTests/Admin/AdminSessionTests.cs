using System.Net;
using MedTechTracker.Admin;
using MedTechTracker.IntegrationTests.Backfill;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>Admin page sessions end with their key: after sign-out, after the key is removed or rotated, on every replica.</summary>
public sealed class AdminSessionTests : IDisposable
{
    private readonly BackfillHarness _harness = new();

    public AdminSessionTests() => _harness.Jira.Generate("MED", 1);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_session_cookie_replayed_after_sign_out_is_refused()
    {
        await using var host = await AdminHost.StartAsync(_harness);
        using var client = host.Client();
        var session = await AdminApiTests.LoginAsync(client);
        Assert.Equal(HttpStatusCode.OK, await ProjectsStatusAsync(client, session.Cookies));

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/admin/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [AdminAuth.AntiforgeryField] = session.Token }),
        };
        logout.Headers.Add("Cookie", session.Cookies);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(logout)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await ProjectsStatusAsync(client, session.Cookies));
    }

    [Fact]
    public async Task A_session_ends_when_its_key_is_removed_and_the_service_restarted()
    {
        string cookies;
        await using (var before = await AdminHost.StartAsync(_harness))
        {
            using var client = before.Client();
            cookies = (await AdminApiTests.LoginAsync(client)).Cookies;
            Assert.Equal(HttpStatusCode.OK, await ProjectsStatusAsync(client, cookies));
        }

        await using var after = await AdminHost.StartAsync(_harness, new Dictionary<string, string?>
        {
            ["Admin:Keys:" + AdminHost.AdminName] = null,
            ["Admin:Keys:bob"] = AdminKeys.Hash("bob's own key"),
        });
        using var again = after.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, await ProjectsStatusAsync(again, cookies));
    }

    [Fact]
    public async Task Rotating_a_key_on_one_replica_ends_its_sessions_on_a_replica_still_running_the_old_configuration()
    {
        await using var old = await AdminHost.StartAsync(_harness);
        using var client = old.Client();
        var cookies = (await AdminApiTests.LoginAsync(client)).Cookies;
        Assert.Equal(HttpStatusCode.OK, await ProjectsStatusAsync(client, cookies));

        // A second replica on the same store starts with the rotated hash.
        await using var rotated = await AdminHost.StartAsync(_harness, new Dictionary<string, string?>
        {
            ["Admin:Keys:" + AdminHost.AdminName] = AdminKeys.Hash("the rotated key"),
        });

        Assert.Equal(HttpStatusCode.Unauthorized, await ProjectsStatusAsync(client, cookies));
        using var viaRotated = rotated.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, await ProjectsStatusAsync(viaRotated, cookies));
    }

    private static async Task<HttpStatusCode> ProjectsStatusAsync(HttpClient client, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/projects");
        request.Headers.Add("Cookie", cookies);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
