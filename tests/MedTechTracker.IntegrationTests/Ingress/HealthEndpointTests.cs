using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_answers_200_while_the_process_is_alive_even_when_dependencies_fail()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Store.Reachable = false;

        using var response = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_lists_every_check_and_the_chosen_providers()
    {
        await using var host = await IngressTestHost.StartAsync();

        using var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("Sqlite", report.RootElement.GetProperty("providers").GetProperty("queue").GetString());
        Assert.Equal("Sqlite", report.RootElement.GetProperty("providers").GetProperty("store").GetString());
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["queue"] = "Healthy", ["store"] = "Healthy", ["rules"] = "Healthy", ["jira"] = "Healthy" }, checks);
    }

    [Fact]
    public async Task Readyz_is_503_when_the_store_is_unreachable()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Store.Reachable = false;

        using var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var store = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "store");
        Assert.Equal("Unhealthy", store.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_is_503_without_leaking_the_error_when_the_queue_fails()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Queue.FailWith = new InvalidOperationException("connection to secret-host.internal refused");

        using var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-host", text, StringComparison.Ordinal);
    }
}
