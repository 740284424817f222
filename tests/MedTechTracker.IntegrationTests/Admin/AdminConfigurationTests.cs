using MedTechTracker.Hosting;
using MedTechTracker.IntegrationTests.Backfill;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace MedTechTracker.IntegrationTests.Admin;

public sealed class AdminConfigurationTests
{
    [Fact]
    public async Task An_admin_key_configured_in_plain_text_instead_of_its_hash_stops_start_up_naming_the_key()
    {
        using var harness = new BackfillHarness();
        var settings = harness.Settings();
        settings["Admin:Keys:bob"] = "my-plain-admin-key";
        settings["Webhook:Secret"] = "integration-test-webhook-secret";
        await using var app = ServiceHost.Build(["--urls", "http://127.0.0.1:0"], ServiceRole.Serve, builder => builder.Configuration.AddInMemoryCollection(settings));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Admin:Keys:bob", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("my-plain-admin-key", error.Message, StringComparison.Ordinal);
    }
}
