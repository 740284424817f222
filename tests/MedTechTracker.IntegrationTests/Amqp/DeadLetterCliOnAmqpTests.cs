namespace MedTechTracker.IntegrationTests.Amqp;

public sealed class DeadLetterCliOnAmqpTests
{
    [Fact]
    public async Task Deadletter_cli_lists_shows_and_replays_dead_letters_of_the_amqp_queue()
    {
        var queueName = AmqpTestBroker.UniqueQueueName("cli");
        var (queue, deadLetters, connections) = AmqpTestBroker.Create(AmqpTestBroker.Settings(queueName));
        await using var _ = connections;
        await queue.EnqueueAsync(AmqpTestBroker.Reference("webhook-cli-1", "MED-21"), CancellationToken.None);
        var leased = await queue.ReceiveAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.NotNull(leased);
        await queue.DeadLetterAsync(leased, "Jira 400 for MED-21: field 'components' is required", CancellationToken.None);

        var (listExit, listOutput) = await RunCliAsync(queueName, "deadletter", "list");
        Assert.True(listExit == 0, listOutput);
        Assert.Contains("webhook-cli-1", listOutput, StringComparison.Ordinal);
        Assert.Contains("MED-21", listOutput, StringComparison.Ordinal);

        var (showExit, showOutput) = await RunCliAsync(queueName, "deadletter", "show", "webhook-cli-1");
        Assert.True(showExit == 0, showOutput);
        Assert.Contains("field 'components' is required", showOutput, StringComparison.Ordinal);

        var (replayExit, replayOutput) = await RunCliAsync(queueName, "deadletter", "replay", "webhook-cli-1");
        Assert.True(replayExit == 0, replayOutput);
        var replayed = await queue.ReceiveAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.NotNull(replayed);
        Assert.Equal("MED-21", replayed.Message.IssueKey);
        Assert.Equal(1, replayed.DeliveryCount);
        await queue.CompleteAsync(replayed, CancellationToken.None);
        Assert.Empty(await deadLetters.ListAsync(10, CancellationToken.None));
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(string queueName, params string[] args)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "mtc-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            return await Pipeline.CliProcess.RunAsync(
                new Dictionary<string, string>
                {
                    ["Queue:Provider"] = "Amqp",
                    ["Queue:Amqp:Address"] = AmqpTestBroker.Address,
                    ["Queue:Name"] = queueName,
                    ["Data:Directory"] = dataDirectory,
                },
                args);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}
