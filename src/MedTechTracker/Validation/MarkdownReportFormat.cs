using System.Text;

namespace MedTechTracker.Validation;

/// <summary>CommonMark with GitHub tables; every value is escaped so a phrase can never turn into markup.</summary>
public sealed class MarkdownReportFormat : ReportFormat
{
    private readonly StringBuilder _text = new();

    public override void Begin(string title) => _text.Append("# ").Append(Escape(title)).Append("\n\n");

    public override void Heading(string text) => _text.Append("## ").Append(Escape(text)).Append("\n\n");

    public override void Paragraph(string text) => _text.Append(Escape(text)).Append("\n\n");

    public override void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        Row(headers);
        _text.Append('|').Append(string.Concat(headers.Select(_ => " --- |"))).Append('\n');
        foreach (var row in rows)
        {
            Row(row);
        }

        _text.Append('\n');
    }

    public override string End() => _text.ToString();

    private void Row(IEnumerable<string> cells) =>
        _text.Append('|').Append(string.Concat(cells.Select(c => $" {Escape(c).ReplaceLineEndings(" ")} |"))).Append('\n');

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '!' or '~')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
