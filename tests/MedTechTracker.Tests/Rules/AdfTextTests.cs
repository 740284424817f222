using System.Text;
using System.Text.Json;
using MedTechTracker.Rules.Adf;

namespace MedTechTracker.Tests.Rules;

public sealed class AdfTextTests
{
    private static string Extract(string json)
    {
        using var document = JsonDocument.Parse(json, AdfText.ParseOptions);
        return AdfText.FromDescription(document.RootElement);
    }

    [Fact]
    public void Text_of_every_text_bearing_node_is_extracted_in_document_order()
    {
        var text = Extract("""
            {"type":"doc","version":1,"content":[
              {"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"Heading"}]},
              {"type":"paragraph","content":[{"type":"text","text":"para "},{"type":"text","text":"bold","marks":[{"type":"strong"}]}]},
              {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"bullet"}]}]}]},
              {"type":"orderedList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"numbered"}]}]}]},
              {"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"head"}]}]},{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"cell"}]}]}]}]},
              {"type":"panel","attrs":{"panelType":"info"},"content":[{"type":"paragraph","content":[{"type":"text","text":"panel"}]}]},
              {"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"quote"}]}]},
              {"type":"codeBlock","attrs":{"language":"cs"},"content":[{"type":"text","text":"code();"}]},
              {"type":"expand","attrs":{"title":"More"},"content":[{"type":"paragraph","content":[{"type":"text","text":"expanded"}]}]},
              {"type":"paragraph","content":[{"type":"status","attrs":{"text":"IN REVIEW","color":"blue"}},{"type":"date","attrs":{"timestamp":"1700000000000"}}]}
            ]}
            """);
        var words = text.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Heading", "para", "bold", "bullet", "numbered", "head", "cell", "panel", "quote", "code();", "expanded", "IN", "REVIEW", "2023-11-14"], words);
    }

    [Fact]
    public void Adjacent_blocks_do_not_glue_words_together()
    {
        var text = Extract("""{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"risk"}]},{"type":"paragraph","content":[{"type":"text","text":"analysis"}]}]}""");
        Assert.Equal("risk\nanalysis", text);
    }

    [Theory]
    [InlineData("null", "")]
    [InlineData("\"a plain v2 description\"", "a plain v2 description")]
    [InlineData("42", "")]
    [InlineData("true", "")]
    [InlineData("{}", "")]
    [InlineData("[]", "")]
    [InlineData("""{"type":"doc","content":"not an array"}""", "")]
    [InlineData("""{"type":"doc","content":[null, 1, "x", {"type":7}, {"type":"text","text":5}, {"type":"text","text":"kept"}]}""", "kept")]
    [InlineData("""{"type":"doc","content":[{"type":"unknownFutureNode","content":[{"type":"text","text":"inner"}]}]}""", "inner")]
    [InlineData("""{"type":"doc","content":[{"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"x"}}]}]}""", "")]
    [InlineData("""{"type":"doc","content":[{"type":"date","attrs":{"timestamp":"not a number"}}]}""", "")]
    [InlineData("""{"type":"doc","content":[{"type":"date","attrs":{"timestamp":"99999999999999999"}}]}""", "9999-12-31")]
    public void Malformed_or_unknown_content_is_skipped_not_thrown(string json, string expected) => Assert.Equal(expected, Extract(json));

    [Fact]
    public void Nesting_up_to_the_depth_limit_is_extracted()
    {
        // Each ADF level is two JSON levels (the node and its content array).
        Assert.Equal("deep", Extract(Nested((AdfText.MaxJsonDepth / 2) - 1)));
    }

    [Fact]
    public void One_hundred_thousand_levels_of_nesting_fail_as_too_deep_instead_of_costing_seconds()
    {
        var ex = Assert.ThrowsAny<JsonException>(() => Extract(Nested(100_000)));
        Assert.True(AdfText.IsTooDeep(ex));
    }

    [Fact]
    public void Malformed_json_is_not_reported_as_too_deep()
    {
        var ex = Assert.ThrowsAny<JsonException>(() => Extract("""{"type":"doc","content":[}"""));
        Assert.False(AdfText.IsTooDeep(ex));
    }

    private static string Nested(int depth)
    {
        var json = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            json.Append("""{"type":"blockquote","content":[""");
        }

        json.Append("""{"type":"text","text":"deep"}""");
        for (var i = 0; i < depth; i++)
        {
            json.Append("]}");
        }

        return json.ToString();
    }

    [Fact]
    public void A_ten_megabyte_document_is_extracted_completely()
    {
        var paragraph = """{"type":"paragraph","content":[{"type":"text","text":"hazard analysis of the infusion pump"}]},""";
        var count = (10 * 1024 * 1024 / paragraph.Length) + 1;
        var json = new StringBuilder("""{"type":"doc","content":[""");
        for (var i = 0; i < count; i++)
        {
            json.Append(paragraph);
        }

        json.Append("""{"type":"paragraph","content":[{"type":"text","text":"the end"}]}]}""");
        Assert.True(json.Length > 10 * 1024 * 1024);

        var text = Extract(json.ToString());
        Assert.EndsWith("the end", text);
        Assert.Equal(count, text.Split('\n').Count(line => line == "hazard analysis of the infusion pump"));
    }
}
