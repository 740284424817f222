using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Adf;
using MedTechTracker.Rules.Issues;
using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>explain [--rules FILE] [--safety-class A|B|C] [--json] PAYLOAD</c>: which sub-tasks an issue needs, and why.
/// Exit codes follow <see cref="CliHost"/>: 1 on an invalid rules file, 2 on unreadable, oversized or invalid input.
/// The payload is read up to the webhook size limit and only from a regular file or stdin (a FIFO or a device such
/// as /dev/zero is refused instead of read).
/// </summary>
public static class ExplainCommand
{
    public const int InvalidRules = CliHost.InvalidConfiguration;
    public const int InvalidInput = CliHost.InvalidInput;

    public static Command Create()
    {
        var rules = CliOptions.Rules();
        var safetyClass = new Option<SafetyClass>("--safety-class")
        {
            Description = "The project's IEC 62304 safety class.",
            DefaultValueFactory = _ => SafetyClass.C,
        };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON." };
        var payload = new Argument<string>("PAYLOAD")
        {
            Description = "A file holding a Jira webhook (jira:issue_created) or a REST issue ({key, fields}); '-' for stdin.",
        };

        var command = new Command("explain", "Show which compliance sub-tasks an issue would get, and why.") { rules, safetyClass, json, payload };
        command.SetAction(parseResult => Run(
            CliOptions.ResolveRulesPath(parseResult.GetValue(rules)),
            parseResult.GetValue(safetyClass),
            parseResult.GetValue(json),
            parseResult.GetValue(payload)!,
            Console.OpenStandardInput(),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            MaxPayloadBytes()));
        return command;
    }

    public static int Run(string rulesPath, SafetyClass safetyClass, bool asJson, string payload, Stream stdin, TextWriter stdout, TextWriter stderr, int maxBytes)
    {
        CompiledRuleSet rules;
        try
        {
            rules = new CompiledRuleSet(RuleSetLoader.LoadFile(rulesPath));
        }
        catch (RuleSetValidationException ex)
        {
            stderr.WriteLine(ex.Message);
            return InvalidRules;
        }

        IssueSnapshot issue;
        try
        {
            var bytes = payload == "-" ? ReadBounded(stdin, maxBytes) : ReadFile(payload, maxBytes);
            if (bytes is null)
            {
                stderr.WriteLine($"{payload} is larger than {maxBytes} bytes, the webhook size limit (Webhook__MaxBodyBytes).");
                return InvalidInput;
            }

            using var document = JsonDocument.Parse(bytes, AdfText.ParseOptions);
            issue = IssuePayloadReader.Read(document.RootElement);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"Cannot read {payload}: {ex.Message}");
            return InvalidInput;
        }
        catch (JsonException ex) when (AdfText.IsTooDeep(ex))
        {
            stderr.WriteLine($"{payload} cannot be explained: {AdfText.TooDeepMessage}.");
            return InvalidInput;
        }
        catch (JsonException ex)
        {
            stderr.WriteLine($"{payload} is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}).");
            return InvalidInput;
        }
        catch (IssuePayloadException ex)
        {
            stderr.WriteLine($"{payload} is not a Jira issue: {ex.Message}.");
            return InvalidInput;
        }

        var plan = Planner.Plan(rules, issue, safetyClass);
        stdout.Write(asJson ? PlanJson.Of(issue, plan).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine : ToText(issue, plan));
        return 0;
    }

    /// <summary>The webhook size limit (<c>Webhook__MaxBodyBytes</c>, default 1 MiB): explain reads no more than the service would accept.</summary>
    private static int MaxPayloadBytes() =>
        int.TryParse(Environment.GetEnvironmentVariable("Webhook__MaxBodyBytes"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max) && max > 0
            ? max
            : Ingress.WebhookOptions.DefaultMaxBodyBytes;

    /// <summary>
    /// A FIFO would block on open and a device (/dev/zero) never ends; both, like an empty file, report a length of 0,
    /// so only a non-empty file is opened, and then read no further than the limit.
    /// </summary>
    private static byte[]? ReadFile(string path, int maxBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Could not find file '{path}'.");
        }

        if (info.Length == 0)
        {
            throw new IOException("it is empty or not a regular file (a FIFO or a device is not read); use '-' to read stdin.");
        }

        if (info.Length > maxBytes)
        {
            return null;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadBounded(stream, maxBytes);
    }

    /// <summary>At most <paramref name="maxBytes"/> bytes; null when there is more.</summary>
    private static byte[]? ReadBounded(Stream stream, int maxBytes)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1L - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }

    private static string ToText(IssueSnapshot issue, IssuePlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine($"{issue.Key} ({(issue.IssueType.Length > 0 ? issue.IssueType : "no issue type")}), safety class {plan.SafetyClass}");
        if (issue.IsSubtask)
        {
            text.AppendLine("  It is a sub-task: sub-tasks never fire rules.");
            return text.ToString();
        }

        if (plan.Matches.Count == 0)
        {
            text.AppendLine("  No rule fires: no sub-task would be created.");
            AppendLeftAlone(text, plan);
            return text.ToString();
        }

        text.AppendLine($"  {plan.Matches.Count} rule{(plan.Matches.Count == 1 ? "" : "s")} fire:");
        foreach (var match in plan.Matches)
        {
            text.AppendLine($"  - {match.RuleId} ({match.Rule.Standard} {match.Rule.Clause}): {match.Describe()}");
        }

        text.AppendLine();
        text.AppendLine(plan.ToCreate.Count == 0 ? "  Nothing to create: every sub-task already exists." : "  Sub-tasks to create:");
        foreach (var subtask in plan.ToCreate)
        {
            text.AppendLine($"  + {subtask.Summary}");
            text.AppendLine($"      labels: {string.Join(", ", subtask.Labels)}");
        }

        foreach (var subtask in plan.AlreadyPresent)
        {
            text.AppendLine($"  = {subtask.Summary} (already present)");
        }

        AppendLeftAlone(text, plan);
        return text.ToString();
    }

    private static void AppendLeftAlone(StringBuilder text, IssuePlan plan)
    {
        foreach (var subtask in plan.NoLongerMatching)
        {
            text.AppendLine($"  ~ {subtask.Summary} (rule {subtask.RuleId} no longer fires; the sub-task is left alone: a person decides whether it is still needed)");
        }
    }
}
