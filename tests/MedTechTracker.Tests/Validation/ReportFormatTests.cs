using MedTechTracker.Validation;

namespace MedTechTracker.Tests.Validation;

public sealed class ReportFormatTests
{
    private const string Hostile = "<script>alert(1)</script> | *bold* [link](x) `code`";

    [Fact]
    public void Html_encodes_every_value_so_a_phrase_cannot_become_markup()
    {
        var html = Render(new HtmlReportFormat());

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_escapes_table_pipes_emphasis_links_and_html()
    {
        var markdown = Render(new MarkdownReportFormat());

        Assert.Contains(@"\<script\>alert(1)\</script\> \| \*bold\* \[link\](x) \`code\`", markdown, StringComparison.Ordinal);
        Assert.Equal(3, markdown.Split('\n').Single(l => l.StartsWith("| r1", StringComparison.Ordinal)).Replace(@"\|", "", StringComparison.Ordinal).Count(c => c == '|'));
    }

    [Theory]
    [InlineData("report.md", typeof(MarkdownReportFormat))]
    [InlineData("REPORT.Markdown", typeof(MarkdownReportFormat))]
    [InlineData("out/report.html", typeof(HtmlReportFormat))]
    [InlineData("report.htm", typeof(HtmlReportFormat))]
    [InlineData("report.txt", null)]
    [InlineData("report", null)]
    public void The_extension_chooses_the_format(string path, Type? expected) =>
        Assert.Equal(expected, ReportFormat.ForFile(path)?.GetType());

    private static string Render(ReportFormat format)
    {
        format.Begin("Title");
        format.Paragraph(Hostile);
        format.Table(["Rule", "Reason"], [["r1", Hostile]]);
        return format.End();
    }
}
