using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedTechTracker.Rules.Adf;
using MedTechTracker.Rules.Issues;
using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;

namespace MedTechTracker.Cli;

/// <summary>
/// <c>explain [--rules FILE] [--safety-class A|B|C] [--json] PAYLOAD</c>: which sub-tasks an issue needs, and why.
/// Exit 0 on success, 1 on an invalid rules file, 2 on unreadable or invalid input.
/// </summary>
public static class ExplainCommand
{
    public const int InvalidRules = 1;
    public const int InvalidInput = 2;

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
            Console.In,
            Console.Out,
            Console.Error));
        return command;
    }

    public static int Run(string rulesPath, SafetyClass safetyClass, bool asJson, string payload, TextReader stdin, TextWriter stdout, TextWriter stderr)
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
            var text = payload == "-" ? stdin.ReadToEnd() : File.ReadAllText(payload);
            using var document = JsonDocument.Parse(text, AdfText.ParseOptions);
            issue = IssuePayloadReader.Read(document.RootElement);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"Cannot read {payload}: {ex.Message}");
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
        stdout.Write(asJson ? ToJson(issue, plan).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine : ToText(issue, plan));
        return 0;
    }

    public static JsonObject ToJson(IssueSnapshot issue, IssuePlan plan)
    {
        var matches = new JsonArray();
        foreach (var match in plan.Matches)
        {
            matches.Add(new JsonObject
            {
                ["ruleId"] = match.RuleId,
                ["reason"] = match.Reason == MatchReason.Keyword ? "keyword" : "issueType",
                ["field"] = match.Field,
                ["keyword"] = match.Reason == MatchReason.Keyword ? match.Keyword : null,
                ["form"] = match.Reason == MatchReason.Keyword ? match.Form ?? match.Keyword : null,
                ["standard"] = match.Rule.Standard,
                ["clause"] = match.Rule.Clause,
            });
        }

        return new JsonObject
        {
            ["issue"] = issue.Key,
            ["issueType"] = issue.IssueType,
            ["isSubtask"] = issue.IsSubtask,
            ["safetyClass"] = plan.SafetyClass.ToString(),
            ["matches"] = matches,
            ["subtasks"] = Subtasks(plan.ToCreate),
            ["alreadyPresent"] = Subtasks(plan.AlreadyPresent),
        };

        static JsonArray Subtasks(IEnumerable<PlannedSubtask> subtasks)
        {
            var array = new JsonArray();
            foreach (var subtask in subtasks)
            {
                array.Add(new JsonObject
                {
                    ["ruleId"] = subtask.RuleId,
                    ["summary"] = subtask.Summary,
                    ["labels"] = new JsonArray([.. subtask.Labels.Select(l => (JsonNode)l)]),
                    ["description"] = subtask.Description.DeepClone(),
                });
            }

            return array;
        }
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

        return text.ToString();
    }
}
