using MedTechTracker.Tests.Storage;

namespace MedTechTracker.Tests.Cli;

/// <summary>One error contract for every command: 0 ok, 1 invalid configuration or rules, 2 invalid input, 3 unreachable dependency.</summary>
public sealed class CliContractTests
{
    [Theory]
    [InlineData("explain", "--bogus", "x.json")]
    [InlineData("rules", "validate", "--bogus")]
    [InlineData("projects", "list", "--bogus")]
    [InlineData("deadletter", "list", "--bogus")]
    [InlineData("backfill", "start", "--project", "MED", "--bogus")]
    [InlineData("backfill", "start")]
    [InlineData("projects", "frobnicate")]
    public async Task An_invalid_option_or_argument_exits_2_for_every_command(params string[] args)
    {
        using var cli = new CliRunner();

        var (exitCode, output, error) = await cli.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.NotEqual("", error);
    }

    [Theory]
    [InlineData("projects", "list")]
    [InlineData("deadletter", "list")]
    [InlineData("backfill", "status")]
    public async Task Invalid_configuration_exits_1_with_one_line_naming_the_key(params string[] args)
    {
        using var cli = new CliRunner(new Dictionary<string, string?> { ["Store:Provider"] = "Nope", ["Queue:Provider"] = "Nope", ["Jira:BaseUrl"] = "https://x.atlassian.net", ["Jira:BearerToken"] = "t" });

        var (exitCode, _, error) = await cli.RunAsync(args);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Provider", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Store", "projects", "list")]
    [InlineData("Queue", "deadletter", "list")]
    [InlineData("Store", "backfill", "status")]
    public async Task A_store_or_queue_that_cannot_be_reached_exits_3(string dependency, params string[] args)
    {
        // Nothing listens on port 1: the connection is refused at once.
        using var cli = new CliRunner(new Dictionary<string, string?>
        {
            ["Jira:BaseUrl"] = "https://x.atlassian.net",
            ["Jira:BearerToken"] = "t",
            [$"{dependency}:Provider"] = dependency == "Store" ? "AzureTables" : "Amqp",
            ["Store:AzureTables:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;",
            ["Queue:Amqp:Address"] = "amqp://guest:guest@127.0.0.1:1",
        });

        var (exitCode, _, error) = await cli.RunAsync(args);

        Assert.Equal(3, exitCode);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deadletter", "show", "42")]
    [InlineData("deadletter", "replay", "42")]
    [InlineData("backfill", "status", "nope")]
    [InlineData("backfill", "cancel", "nope")]
    public async Task An_unknown_id_exits_2(params string[] args)
    {
        using var cli = new CliRunner(new Dictionary<string, string?> { ["Jira:BaseUrl"] = "https://x.atlassian.net", ["Jira:BearerToken"] = "t" });

        var (exitCode, _, error) = await cli.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.NotEqual("", error);
    }
}
