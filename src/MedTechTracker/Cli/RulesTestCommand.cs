using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Validation;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>rules test [--rules FILE] --corpus DIR [--min-recall R] [--min-precision P] [--report FILE.md|FILE.html] [--json]</c>:
/// runs a labelled corpus through the planner and reports per-rule and overall figures and every miss with its reason.
/// Exit 0 ok, 1 below a threshold or an invalid rules file, 2 bad input (corpus, labels, thresholds, report path).
/// </summary>
public static class RulesTestCommand
{
    public const int Ok = 0;
    public const int BelowThresholdOrInvalidRules = 1;
    public const int InvalidInput = 2;

    public static Command Create()
    {
        var rules = CliOptions.Rules();
        var corpus = new Option<string>("--corpus") { Description = "The corpus directory: labels.json and issues/*.json.", Required = true };
        var minRecall = new Option<double?>("--min-recall") { Description = "Fail (exit 1) when overall recall is below R (0..1)." };
        var minPrecision = new Option<double?>("--min-precision") { Description = "Fail (exit 1) when overall precision is below P (0..1)." };
        var report = new Option<string?>("--report") { Description = "Write the validation report: Markdown for .md, HTML for .html." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var command = new Command("test", "Run a labelled corpus through the rules: precision, recall and every miss with its reason.")
        {
            rules, corpus, minRecall, minPrecision, report, json,
        };
        command.SetAction(parseResult => Run(
            new Request(
                CliOptions.ResolveRulesPath(parseResult.GetValue(rules)),
                parseResult.GetValue(corpus)!,
                new AcceptanceCriteria(parseResult.GetValue(minRecall), parseResult.GetValue(minPrecision)),
                parseResult.GetValue(report),
                parseResult.GetValue(json)),
            TimeProvider.System,
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    public sealed record Request(string RulesPath, string CorpusDirectory, AcceptanceCriteria Criteria, string? ReportPath, bool Json);

    public static int Run(Request request, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        foreach (var (name, value) in new[] { ("--min-recall", request.Criteria.MinRecall), ("--min-precision", request.Criteria.MinPrecision) })
        {
            if (value is { } v && !(v is >= 0 and <= 1))
            {
                stderr.WriteLine($"{name} must be between 0 and 1 (got {v.ToString(CultureInfo.InvariantCulture)}).");
                return InvalidInput;
            }
        }

        var format = request.ReportPath is null ? null : ReportFormat.ForFile(request.ReportPath);
        if (request.ReportPath is not null && format is null)
        {
            stderr.WriteLine($"--report {request.ReportPath}: the report is Markdown (.md) or HTML (.html); the extension chooses.");
            return InvalidInput;
        }

        CompiledRuleSet rules;
        string rulesSha256;
        try
        {
            var bytes = File.ReadAllBytes(request.RulesPath);
            rulesSha256 = CorpusHash.Hex(bytes);
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            rules = new CompiledRuleSet(RuleSetLoader.Load(reader.ReadToEnd(), request.RulesPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{request.RulesPath}: (file): cannot be read: {ex.Message}");
            return BelowThresholdOrInvalidRules;
        }
        catch (RuleSetValidationException ex)
        {
            stderr.WriteLine(ex.Message);
            return BelowThresholdOrInvalidRules;
        }

        LabelledCorpus corpus;
        try
        {
            corpus = CorpusLoader.Load(request.CorpusDirectory, rules.RuleSet.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal));
        }
        catch (CorpusException ex)
        {
            stderr.WriteLine(ex.Message);
            return InvalidInput;
        }

        var report = new ValidationReport(
            ProductVersion(),
            time.GetUtcNow(),
            request.RulesPath,
            rulesSha256,
            rules.RuleSet.Rules.Count,
            request.CorpusDirectory,
            corpus,
            request.Criteria,
            CorpusEvaluator.Evaluate(rules, corpus),
            CommandLine(request));

        stdout.Write(request.Json ? ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine : ToText(report));
        if (request.ReportPath is not null)
        {
            try
            {
                File.WriteAllText(request.ReportPath, ValidationReportWriter.Render(report, format!), new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"--report {request.ReportPath}: cannot be written: {ex.Message}");
                return InvalidInput;
            }

            stderr.WriteLine($"Report written to {request.ReportPath}.");
        }

        return report.Passed ? Ok : BelowThresholdOrInvalidRules;
    }

    public static string ProductVersion() =>
        typeof(RulesTestCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RulesTestCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static string CommandLine(Request request)
    {
        var line = new StringBuilder($"medtech-tracker rules test --rules {request.RulesPath} --corpus {request.CorpusDirectory}");
        if (request.Criteria.MinRecall is { } recall)
        {
            line.Append(CultureInfo.InvariantCulture, $" --min-recall {recall}");
        }

        if (request.Criteria.MinPrecision is { } precision)
        {
            line.Append(CultureInfo.InvariantCulture, $" --min-precision {precision}");
        }

        return line.ToString();
    }

    private static string ToText(ValidationReport report)
    {
        var evaluation = report.Evaluation;
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine($"Rules:  {report.RulesPath} ({report.RuleCount} rules), SHA-256 {report.RulesSha256}");
        text.WriteLine($"Corpus: {report.CorpusPath} \u201c{report.Corpus.Name}\u201d by {report.Corpus.Author}, {report.Corpus.Cases.Count} cases, SHA-256 {report.Corpus.Sha256}");
        text.WriteLine();
        var table = CliTable.Create("Rule", "TP", "FP", "FN", "Precision", "Recall");
        foreach (var r in evaluation.Rules)
        {
            table.AddRow([r.RuleId, N(r.TruePositives), N(r.FalsePositives), N(r.FalseNegatives), AcceptanceCriteria.Format(r.Precision), AcceptanceCriteria.Format(r.Recall)]);
        }

        table.AddRow(["overall (micro)", N(evaluation.TruePositives), N(evaluation.FalsePositives), N(evaluation.FalseNegatives), AcceptanceCriteria.Format(evaluation.Precision), AcceptanceCriteria.Format(evaluation.Recall)]);
        CliTable.Write(text, table);
        text.WriteLine($"Precision {AcceptanceCriteria.Format(evaluation.Precision)}, recall {AcceptanceCriteria.Format(evaluation.Recall)}; "
            + $"cases free of a forbidden rule: {evaluation.CasesWithoutForbidden} of {evaluation.Cases} ({AcceptanceCriteria.Format(evaluation.CleanShare)}).");

        foreach (var (kind, title) in new[] { (FindingKind.Missed, "Missed"), (FindingKind.ForbiddenFired, "Forbidden rule fired"), (FindingKind.Unexpected, "Fired, not expected") })
        {
            var findings = report.FindingsOf(kind).ToList();
            if (findings.Count == 0)
            {
                continue;
            }

            text.WriteLine();
            text.WriteLine($"{title} ({findings.Count}):");
            foreach (var f in findings)
            {
                text.WriteLine($"  {f.File} {f.IssueKey}: {f.RuleId}: {f.Reason}");
            }
        }

        text.WriteLine();
        text.WriteLine(report.Criteria.Any
            ? $"{report.Verdict}: {(report.Passed ? "every threshold is met" : string.Join("; ", report.Failures))}."
            : "No thresholds given (--min-recall, --min-precision): not judged.");
        return text.ToString();
    }

    private static JsonObject ToJson(ValidationReport report)
    {
        var evaluation = report.Evaluation;
        return new JsonObject
        {
            ["productVersion"] = report.ProductVersion,
            ["date"] = report.GeneratedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["rules"] = new JsonObject { ["path"] = report.RulesPath, ["sha256"] = report.RulesSha256, ["count"] = report.RuleCount },
            ["corpus"] = new JsonObject
            {
                ["path"] = report.CorpusPath,
                ["name"] = report.Corpus.Name,
                ["author"] = report.Corpus.Author,
                ["sha256"] = report.Corpus.Sha256,
                ["files"] = report.Corpus.FileCount,
                ["cases"] = report.Corpus.Cases.Count,
            },
            ["overall"] = new JsonObject
            {
                ["tp"] = evaluation.TruePositives,
                ["fp"] = evaluation.FalsePositives,
                ["fn"] = evaluation.FalseNegatives,
                ["precision"] = evaluation.Precision,
                ["recall"] = evaluation.Recall,
                ["casesWithoutForbidden"] = evaluation.CasesWithoutForbidden,
                ["cleanShare"] = evaluation.CleanShare,
            },
            ["perRule"] = new JsonArray([.. evaluation.Rules.Select(r => (JsonNode)new JsonObject
            {
                ["ruleId"] = r.RuleId,
                ["tp"] = r.TruePositives,
                ["fp"] = r.FalsePositives,
                ["fn"] = r.FalseNegatives,
                ["precision"] = r.Precision,
                ["recall"] = r.Recall,
            })]),
            ["findings"] = new JsonArray([.. evaluation.Findings.Select(f => (JsonNode)new JsonObject
            {
                ["case"] = f.Case,
                ["file"] = f.File,
                ["issue"] = f.IssueKey,
                ["ruleId"] = f.RuleId,
                ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(f.Kind.ToString()),
                ["reason"] = f.Reason,
            })]),
            ["thresholds"] = new JsonObject { ["minRecall"] = report.Criteria.MinRecall, ["minPrecision"] = report.Criteria.MinPrecision },
            ["verdict"] = !report.Criteria.Any ? "notJudged" : report.Passed ? "pass" : "fail",
            ["failures"] = new JsonArray([.. report.Failures.Select(f => (JsonNode)f)]),
        };
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
