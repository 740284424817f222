using System.Diagnostics;
using System.Text.Json;
using static MedTechTracker.Tests.Rules.TestRules;

namespace MedTechTracker.Tests.Cli;

/// <summary><c>explain</c> and <c>rules validate</c> run as real processes of the built executable.</summary>
public sealed class ExplainProcessTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("mtc-explain-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Explain_json_names_the_rule_the_field_the_keyword_and_the_subtask_for_a_webhook()
    {
        var (exit, stdout, _) = await Run("explain", "--json", Sample("webhook-soup-story.json"));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("MED-42", root.GetProperty("issue").GetString());
        var match = Assert.Single(root.GetProperty("matches").EnumerateArray());
        Assert.Equal("soup-assessment", match.GetProperty("ruleId").GetString());
        Assert.Equal("keyword", match.GetProperty("reason").GetString());
        Assert.Equal("summary", match.GetProperty("field").GetString());
        Assert.Equal("open source", match.GetProperty("keyword").GetString());
        var subtask = Assert.Single(root.GetProperty("subtasks").EnumerateArray());
        Assert.StartsWith("Compliance: Assess SOUP", subtask.GetProperty("summary").GetString());
        Assert.Equal(["medtech-compliance", "mtc-soup-assessment"], subtask.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task Explain_reads_a_REST_issue_with_an_ADF_description_and_an_issue_type_trigger()
    {
        var (exit, stdout, _) = await Run("explain", "--json", Sample("rest-issue-adf-hazard.json"));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        var matches = json.RootElement.GetProperty("matches").EnumerateArray().ToDictionary(m => m.GetProperty("ruleId").GetString()!);
        Assert.Equal(["problem-resolution", "risk-analysis", "risk-control", "system-testing"], matches.Keys.Order());
        Assert.Equal("issueType", matches["problem-resolution"].GetProperty("reason").GetString());
        Assert.Equal("issuetype", matches["problem-resolution"].GetProperty("field").GetString());
        Assert.Equal("description", matches["risk-analysis"].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Explain_of_an_edited_issue_says_the_subtask_of_a_rule_that_no_longer_fires_is_left_alone()
    {
        var text = await Run("explain", Sample("webhook-edited-no-longer-soup.json"));
        var (exit, stdout, _) = await Run("explain", "--json", Sample("webhook-edited-no-longer-soup.json"));

        Assert.Equal(0, text.Exit);
        Assert.Contains("rule soup-assessment no longer fires; the sub-task is left alone", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.Empty(json.RootElement.GetProperty("subtasks").EnumerateArray());
        var leftAlone = Assert.Single(json.RootElement.GetProperty("noLongerMatching").EnumerateArray());
        Assert.Equal(("soup-assessment", "leftAlone"), (leftAlone.GetProperty("ruleId").GetString(), leftAlone.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Explain_never_fires_for_a_subtask_and_says_so()
    {
        var (exit, stdout, _) = await Run("explain", Sample("webhook-subtask.json"));
        Assert.Equal(0, exit);
        Assert.Contains("sub-tasks never fire rules", stdout);
    }

    [Fact]
    public async Task Explain_without_json_prints_a_readable_report()
    {
        var (exit, stdout, _) = await Run("explain", Sample("webhook-soup-story.json"));
        Assert.Equal(0, exit);
        Assert.Contains("MED-42 (Story), safety class C", stdout);
        Assert.Contains("soup-assessment", stdout);
        Assert.Contains("the summary contains the keyword \u201copen source\u201d", stdout);
        Assert.Contains("+ Compliance: Assess SOUP", stdout);
    }

    [Fact]
    public async Task Explain_reads_the_payload_from_stdin_with_a_dash()
    {
        var (exit, stdout, _) = await Run(["explain", "--json", "-"], stdin: await File.ReadAllTextAsync(Sample("webhook-soup-story.json")));
        Assert.Equal(0, exit);
        Assert.Contains("\"issue\": \"MED-42\"", stdout);
    }

    [Fact]
    public async Task The_safety_class_option_changes_which_rules_fire()
    {
        var rules = WriteRules("""{"id":"architecture","title":"T","standard":"IEC 62304","clause":"§5.3","safetyClasses":["B","C"],"keywords":["architecture"]}""");
        var issue = WriteFile("issue.json", """{"key":"MED-9","fields":{"summary":"New architecture","issuetype":{"name":"Story"}}}""");

        var classC = await Run("explain", "--json", "--rules", rules, issue);
        var classA = await Run("explain", "--json", "--rules", rules, issue, "--safety-class", "A");

        Assert.Contains("\"ruleId\": \"architecture\"", classC.Stdout);
        Assert.DoesNotContain("\"ruleId\"", classA.Stdout);
        Assert.Contains("\"safetyClass\": \"A\"", classA.Stdout);
    }

    [Fact]
    public async Task Explain_shows_the_form_that_hit_and_the_keyword_it_came_from_in_text_and_json()
    {
        var rules = WriteRules(
            """{"id":"soup","title":"T","standard":"IEC 62304","clause":"§7.1.3","keywords":["bump {word} to {version}"]}""",
            """{"id":"limits","title":"T","standard":"ISO 14971","clause":"§7","keywords":[{"all":["dose","limit"],"within":6}]}""");
        var issue = WriteFile("issue.json", """{"key":"MED-10","fields":{"summary":"Bumped libpng to 1.6.43","description":"Doses above the limits are refused.","issuetype":{"name":"Task"}}}""");

        var json = await Run("explain", "--json", "--rules", rules, issue);
        var text = await Run("explain", "--rules", rules, issue);

        using var document = JsonDocument.Parse(json.Stdout);
        var matches = document.RootElement.GetProperty("matches").EnumerateArray().ToList();
        Assert.Equal(("bump {word} to {version}", "bumped {word} to {version}"), (matches[0].GetProperty("keyword").GetString(), matches[0].GetProperty("form").GetString()));
        Assert.Equal(("all(dose, limit) within 6 words", "doses + limits"), (matches[1].GetProperty("keyword").GetString(), matches[1].GetProperty("form").GetString()));
        Assert.Contains("the summary contains \u201cbumped {word} to {version}\u201d (from the keyword \u201cbump {word} to {version}\u201d)", text.Stdout);
        Assert.DoesNotContain("libpng", json.Stdout + text.Stdout);
    }

    [Theory]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("[1,2]", "is not a Jira issue")]
    [InlineData("{\"webhookEvent\":\"jira:issue_created\",\"issue\":{\"fields\":{}}}", "has no 'key'")]
    public async Task Invalid_input_exits_2_naming_the_problem(string payload, string expected)
    {
        var (exit, _, stderr) = await Run("explain", WriteFile("bad.json", payload));
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public async Task An_unreadable_payload_exits_2() =>
        Assert.Equal(2, (await Run("explain", Path.Combine(_temp, "missing.json"))).Exit);

    [Fact]
    public async Task A_fifo_is_refused_with_exit_2_instead_of_hanging()
    {
        var fifo = Path.Combine(_temp, "payload.fifo");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var (exit, _, stderr) = await Run("explain", fifo);

        Assert.Equal(2, exit);
        Assert.Contains("not a regular file", stderr);
    }

    [Fact]
    public async Task Dev_zero_is_refused_with_exit_2_instead_of_read()
    {
        var (exit, _, stderr) = await Run("explain", "/dev/zero");

        Assert.Equal(2, exit);
        Assert.Contains("not a regular file", stderr);
        Assert.DoesNotContain("OutOfMemory", stderr);
    }

    [Fact]
    public async Task A_payload_larger_than_the_webhook_limit_exits_2_from_a_file_and_from_stdin()
    {
        var big = "{\"key\":\"MED-1\",\"fields\":{\"summary\":\"" + new string('x', 1024 * 1024) + "\"}}";
        var file = await Run("explain", WriteFile("big.json", big));
        var stdin = await Run(["explain", "-"], stdin: big);

        Assert.Equal((2, 2), (file.Exit, stdin.Exit));
        Assert.Contains("larger than 1048576 bytes", file.Stderr);
        Assert.Contains("larger than 1048576 bytes", stdin.Stderr);
    }

    [Fact]
    public async Task A_description_nested_twenty_thousand_levels_deep_within_the_size_limit_exits_2_naming_the_depth_limit()
    {
        var adf = string.Concat(Enumerable.Repeat("{\"type\":\"blockquote\",\"content\":[", 20_000)) + "{\"type\":\"text\",\"text\":\"x\"}" + string.Concat(Enumerable.Repeat("]}", 20_000));
        var (exit, _, stderr) = await Run("explain", WriteFile("deep.json", "{\"key\":\"MED-1\",\"fields\":{\"summary\":\"s\",\"description\":" + adf + "}}"));

        Assert.Equal(2, exit);
        Assert.Contains("nested deeper than 1000 levels", stderr);
    }

    [Fact]
    public async Task Serve_with_missing_settings_prints_every_missing_key_on_one_line_and_exits_1()
    {
        var (exit, stdout, stderr) = await Run(["serve", "--urls", "http://127.0.0.1:0"], stdin: null, workingDirectory: _temp);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Invalid configuration:", line);
        Assert.Contains("Jira:BaseUrl", line);
        Assert.Contains("Jira:ApiToken", line);
        Assert.Contains("Webhook:Secret", line);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task An_invalid_rules_file_makes_explain_exit_1_naming_rule_and_key()
    {
        var rules = WriteRules("""{"id":"Bad Id","title":"T","standard":"S","clause":"C","keywords":["x"]}""");
        var (exit, _, stderr) = await Run("explain", "--rules", rules, Sample("webhook-soup-story.json"));
        Assert.Equal(1, exit);
        Assert.Contains("rule 'Bad Id': 'id'", stderr);
    }

    [Fact]
    public async Task Rules_validate_exits_0_for_the_default_pack() =>
        Assert.Equal(0, (await Run("rules", "validate", "--rules", RepoFile("config", "rules.json"))).Exit);

    [Fact]
    public async Task Rules_validate_prints_every_error_and_exits_1()
    {
        var rules = WriteRules(
            """{"id":"a","title":"T","standard":"S","clause":"C","keywords":[""]}""",
            """{"id":"a","title":"T","standard":"S","clause":"C","keywords":["x"],"colour":"red"}""");
        var (exit, _, stderr) = await Run("rules", "validate", "--rules", rules);
        Assert.Equal(1, exit);
        Assert.Contains("rule 'a': 'keywords': item 1 is an empty phrase", stderr);
        Assert.Contains("rule 'a': 'id': is a duplicate", stderr);
        Assert.Contains("rule 'a': 'colour': unknown key", stderr);
        Assert.Contains("3 errors.", stderr);
    }

    private static string Sample(string name) => RepoFile("samples", "explain", name);

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string WriteRules(params string[] rules) =>
        WriteFile("rules.json", $$"""{"version":1,"rules":[{{string.Join(",", rules)}}]}""");

    private static Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args) => Run(args, stdin: null);

    private static Task<(int Exit, string Stdout, string Stderr)> Run(string[] args, string? stdin, string? workingDirectory = null) => CliProcess.RunAsync(args, stdin, workingDirectory);
}
