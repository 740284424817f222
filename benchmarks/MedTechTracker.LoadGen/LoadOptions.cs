using System.Globalization;

namespace MedTechTracker.LoadGen;

/// <summary>Command-line options; see <see cref="Usage"/>.</summary>
internal sealed class LoadOptions
{
    public const string Usage = """
        medtech-loadgen: sends Jira issue_created webhooks signed the way Jira signs them (X-Hub-Signature: sha256=HMAC of the raw body).

          --url URL            webhook endpoint (default http://127.0.0.1:5080/webhooks/jira)
          --secret S           webhook secret (default: env Webhook__Secret)
          --rate N             requests per second, open loop; 0 = flat out (default 0)
          --duration S         seconds per phase (default 10)
          --warmup S           seconds of unmeasured flat-out load first (default 2)
          --connections N      HTTP/1.1 connections (default 64)
          --project KEY        project key of the generated issues (default LOAD)
          --suite NOOP_URL     the ingress benchmark in one run: NOOP_URL flat out (the ceiling), the webhook flat out,
                               then the webhook at --rate (default 500); prints the ratio and the targets
        """;

    public Uri Url { get; private set; } = new("http://127.0.0.1:5080/webhooks/jira");

    public string Secret { get; private set; } = Environment.GetEnvironmentVariable("Webhook__Secret") ?? string.Empty;

    public double Rate { get; private set; }

    public double DurationSeconds { get; private set; } = 10;

    public double WarmupSeconds { get; private set; } = 2;

    public int Connections { get; private set; } = 64;

    public string ProjectKey { get; private set; } = "LOAD";

    public Uri? SuiteNoOpUrl { get; private set; }

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--url": options.Url = new Uri(Next()); break;
                case "--secret": options.Secret = Next(); break;
                case "--rate": options.Rate = Number(); break;
                case "--duration": options.DurationSeconds = Number(); break;
                case "--warmup": options.WarmupSeconds = Number(); break;
                case "--connections": options.Connections = (int)Number(); break;
                case "--project": options.ProjectKey = Next(); break;
                case "--suite": options.SuiteNoOpUrl = new Uri(Next()); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (options.SuiteNoOpUrl is not null && options.Rate == 0)
        {
            options.Rate = 500;
        }

        return options;
    }
}
