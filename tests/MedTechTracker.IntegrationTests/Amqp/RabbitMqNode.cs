using System.Diagnostics;

namespace MedTechTracker.IntegrationTests.Amqp;

/// <summary>A RabbitMQ node of a test's own (scripts/rabbitmq-node.sh), so it can be stopped and started without disturbing other tests.</summary>
internal sealed class RabbitMqNode : IAsyncDisposable
{
    private RabbitMqNode(int port)
    {
        Port = port;
        Directory = Path.Combine(Path.GetTempPath(), $"mtc-rabbitmq-test-{port}");
    }

    public int Port { get; }

    public string Directory { get; }

    public string Address => $"amqp://guest:guest@127.0.0.1:{Port}";

    public static async Task<RabbitMqNode> StartAsync()
    {
        // The script puts the node's distribution port 20000 above (or below) the AMQP port: both must be free.
        int port;
        do
        {
            port = FreePort.Next();
        }
        while (!IsFree(port <= 45535 ? port + 20000 : port - 20000));

        var node = new RabbitMqNode(port);
        await node.RunScriptAsync("start");
        return node;
    }

    public Task StopAsync() => RunScriptAsync("stop");

    public Task StartAgainAsync() => RunScriptAsync("start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunScriptAsync("stop");
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private async Task RunScriptAsync(string action)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AmqpTestBroker.NodeScript);
        start.ArgumentList.Add(action);
        start.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(Directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmq-node.sh {action} {Port} failed ({process.ExitCode}): {await output} {await error}");
        }
    }
}
