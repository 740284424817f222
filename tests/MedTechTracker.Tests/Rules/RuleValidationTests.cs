using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Model;

namespace MedTechTracker.Tests.Rules;

public sealed class RuleValidationTests
{
    private const string ValidRule = """
        {"id":"soup-assessment","title":"Assess SOUP","standard":"IEC 62304","clause":"§7.1.3",
         "keywords":["SOUP"],"instructions":["a","b","c"],"evidence":["e"]}
        """;

    private static string File(string rules, string extraTop = "") =>
        $$"""{"version":1,"summaryTemplate":"Compliance: {title} ({standard} {clause})",{{extraTop}}"rules":[{{rules}}]}""";

    private static IReadOnlyList<RuleValidationError> Errors(string json) => RuleSetLoader.Validate(json, "rules.json");

    private static RuleValidationError SingleError(string json) => Assert.Single(Errors(json));

    [Fact]
    public void A_valid_file_loads_with_defaults_for_omitted_keys()
    {
        var ruleSet = RuleSetLoader.Load(File(ValidRule, "\"$schema\":\"./rules.schema.json\","), "rules.json");
        var rule = Assert.Single(ruleSet.Rules);
        Assert.Equal([SafetyClass.A, SafetyClass.B, SafetyClass.C], rule.SafetyClasses);
        Assert.Equal([IssueField.Summary, IssueField.Description], rule.Fields);
        Assert.Equal("rules.json", ruleSet.Source);
        Assert.Equal("Compliance: Assess SOUP (IEC 62304 §7.1.3)", ruleSet.RenderSummary(rule));
    }

    [Fact]
    public void An_unknown_rule_key_names_the_file_the_rule_and_the_key()
    {
        var error = SingleError(File(ValidRule.Replace("\"keywords\"", "\"keyword\":[\"x\"],\"keywords\"")));
        Assert.Equal(("rules.json", "soup-assessment", "keyword"), (error.File, error.RuleId, error.Key));
        Assert.Contains("rules.json: rule 'soup-assessment': 'keyword': unknown key", error.ToString());
    }

    [Fact]
    public void An_unknown_top_level_key_is_an_error() =>
        Assert.Equal("rule", SingleError(File(ValidRule, "\"rule\":[],")).Key);

    [Fact]
    public void A_pack_level_exclude_is_added_to_every_rules_own_exclude()
    {
        var other = ValidRule.Replace("soup-assessment", "risk-analysis").Replace("\"keywords\":[\"SOUP\"]", "\"keywords\":[\"hazard\"],\"exclude\":[\"no hazard\"]");
        var ruleSet = RuleSetLoader.Load(File(ValidRule + "," + other, "\"exclude\":[\"office Wi-Fi\",{\"all\":[\"sprint\",\"capacity\"]}],"), "rules.json");

        var soup = ruleSet.Rules.Single(r => r.Id == "soup-assessment");
        var risk = ruleSet.Rules.Single(r => r.Id == "risk-analysis");
        Assert.Equal(["office Wi-Fi", "sprint"], soup.Exclude.Select(e => e.Members[0][0]));
        Assert.Equal(["office Wi-Fi", "sprint", "no hazard"], risk.Exclude.Select(e => e.Members[0][0]));
    }

    [Fact]
    public void A_malformed_pack_level_exclude_names_the_pack_and_the_key()
    {
        var error = SingleError(File(ValidRule, "\"exclude\":[\"{release}\"],"));
        Assert.Equal(("(pack)", "exclude"), (error.RuleId, error.Key));
    }

    [Fact]
    public void A_missing_id_is_named_by_the_rules_position()
    {
        var error = SingleError(File(ValidRule.Replace("\"id\":\"soup-assessment\",", "")));
        Assert.Equal(("#1", "id"), (error.RuleId, error.Key));
    }

    [Fact]
    public void A_duplicate_id_is_an_error()
    {
        var error = SingleError(File(ValidRule + "," + ValidRule));
        Assert.Equal(("soup-assessment", "id"), (error.RuleId, error.Key));
        Assert.Contains("duplicate", error.Message);
    }

    [Theory]
    [InlineData("Soup")]
    [InlineData("soup_assessment")]
    [InlineData("soup assessment")]
    [InlineData("süp")]
    public void An_id_outside_lowercase_letters_digits_and_dashes_is_an_error(string id) =>
        Assert.Equal("id", SingleError(File(ValidRule.Replace("soup-assessment", id))).Key);

    [Fact]
    public void A_rule_with_no_keywords_and_no_issue_types_can_never_fire()
    {
        var error = SingleError(File(ValidRule.Replace("\"keywords\":[\"SOUP\"]", "\"keywords\":[]")));
        Assert.Equal("keywords", error.Key);
        Assert.Contains("never fire", error.Message);
    }

    [Fact]
    public void A_rule_with_only_issue_types_is_valid() =>
        Assert.Empty(Errors(File(ValidRule.Replace("\"keywords\":[\"SOUP\"]", "\"issueTypes\":[\"Bug\"]"))));

    [Fact]
    public void An_invalid_safety_class_is_an_error()
    {
        var error = SingleError(File(ValidRule.Replace("\"keywords\"", "\"safetyClasses\":[\"A\",\"D\"],\"keywords\"")));
        Assert.Equal("safetyClasses", error.Key);
        Assert.Contains("'D'", error.Message);
    }

    [Fact]
    public void An_invalid_field_name_is_an_error() =>
        Assert.Equal("fields", SingleError(File(ValidRule.Replace("\"keywords\"", "\"fields\":[\"summary\",\"comments\"],\"keywords\""))).Key);

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("\" - / _ \"")]
    public void An_empty_phrase_is_an_error(string phrase)
    {
        var error = SingleError(File(ValidRule.Replace("[\"SOUP\"]", $"[\"SOUP\",{phrase}]")));
        Assert.Equal("keywords", error.Key);
        Assert.Contains("item 2 is an empty phrase", error.Message);
    }

    [Fact]
    public void An_empty_exclusion_is_an_error() =>
        Assert.Equal("exclude", SingleError(File(ValidRule.Replace("\"keywords\"", "\"exclude\":[\"\"],\"keywords\""))).Key);

    [Fact]
    public void A_summary_over_255_characters_is_an_error()
    {
        var error = SingleError(File(ValidRule.Replace("Assess SOUP", new string('x', 240))));
        Assert.Equal("title", error.Key);
        Assert.Contains("255", error.Message);
    }

    [Fact]
    public void A_wrongly_typed_value_is_an_error() =>
        Assert.Equal("keywords", SingleError(File(ValidRule.Replace("[\"SOUP\"]", "\"SOUP\""))).Key);

    [Fact]
    public void A_missing_required_string_is_an_error() =>
        Assert.Equal("clause", SingleError(File(ValidRule.Replace("\"clause\":\"§7.1.3\",", ""))).Key);

    [Fact]
    public void An_unknown_template_placeholder_is_an_error() =>
        Assert.Equal("summaryTemplate", SingleError(File(ValidRule).Replace("{clause}", "{section}")).Key);

    [Fact]
    public void A_wrong_version_is_an_error() =>
        Assert.Equal("version", SingleError(File(ValidRule).Replace("\"version\":1", "\"version\":2")).Key);

    [Fact]
    public void Invalid_json_names_the_line()
    {
        var error = SingleError("{\n\"version\": 1,\n\"rules\": [,]\n}");
        Assert.Equal("(json)", error.Key);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void Every_error_in_a_file_is_reported_not_just_the_first()
    {
        var errors = Errors(File(ValidRule.Replace("soup-assessment", "Bad Id").Replace("\"keywords\"", "\"colour\":1,\"keywords\"") + "," + ValidRule.Replace("\"standard\":\"IEC 62304\",", "")));
        Assert.Equal(["id", "colour", "standard"], errors.Select(e => e.Key));
    }

    [Fact]
    public void An_unreadable_file_is_reported_with_its_path()
    {
        var ex = Assert.Throws<RuleSetValidationException>(() => RuleSetLoader.LoadFile("/nonexistent/rules.json"));
        Assert.Equal("/nonexistent/rules.json", Assert.Single(ex.Errors).File);
    }

    [Theory]
    [InlineData("""{"all":["dose"]}""", "item 2: 'all' must be an array of at least 2 members")]
    [InlineData("""{"all":["dose","limit"],"within":1}""", "item 2: 'within' must be a whole number of words from 2 to 200")]
    [InlineData("""{"phrase":"dose","within":5}""", "item 2: 'within' needs 'all'")]
    [InlineData("""{"phrase":"dose","all":["a","b"]}""", "item 2 needs exactly one of 'phrase'")]
    [InlineData("""{"phrase":"dose","inflect":"no"}""", "item 2: 'inflect' must be true or false")]
    [InlineData("""{"phrase":"dose","exact":true}""", "item 2: unknown key 'exact' (allowed: phrase, all, within, inflect)")]
    [InlineData("\"{version} released\"", "item 2 ('{version} released') may not begin with the token {version}")]
    [InlineData("\"upgrade {semver}\"", "item 2 ('upgrade {semver}') has '{semver}': braces are reserved")]
    [InlineData("\"upgrade v{version}\"", "has 'v{version}': braces are reserved")]
    [InlineData("42", "item 2 must be a phrase string or an object")]
    public void A_bad_keyword_entry_names_the_rule_the_key_and_the_item(string item, string message)
    {
        var error = SingleError(File(ValidRule.Replace("\"keywords\":[\"SOUP\"]", $"\"keywords\":[\"SOUP\",{item}]")));
        Assert.Equal(("soup-assessment", "keywords"), (error.RuleId, error.Key));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Keyword_objects_load_into_phrases_all_of_entries_and_exact_phrases()
    {
        var json = File(ValidRule.Replace("\"keywords\":[\"SOUP\"]",
            "\"keywords\":[\"SOUP\",{\"phrase\":\"UI\",\"inflect\":false},{\"all\":[\"dose\",[\"limit\",\"maximum\"]],\"within\":6}],\"exclude\":[{\"phrase\":\"no change\"}]"));
        var rule = Assert.Single(RuleSetLoader.Load(json, "rules.json").Rules);
        Assert.Equal(["SOUP", "UI", "all(dose, limit|maximum) within 6 words"], rule.Keywords.Select(k => k.ToString()));
        Assert.False(rule.Keywords[1].Inflect);
        Assert.Equal(6, rule.Keywords[2].Within);
        Assert.Equal("no change", Assert.Single(rule.Exclude).ToString());
    }

    [Fact]
    public void A_phrase_whose_inflected_form_is_too_long_is_an_error()
    {
        var phrase = new string('a', 199);
        Assert.Contains("in its form", SingleError(File(ValidRule.Replace("\"SOUP\"", $"\"{phrase}\""))).Message);
    }
}
