using System.Text;
using System.Text.Encodings.Web;

namespace MedTechTracker.Validation;

/// <summary>One self-contained HTML file (no script, nothing fetched), every value HTML-encoded.</summary>
public sealed class HtmlReportFormat : ReportFormat
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;line-height:1.4}"
        + "table{border-collapse:collapse;margin:0 0 1.5em}th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}"
        + "thead th{background:#eee}";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;
    private readonly StringBuilder _html = new();

    public override void Begin(string title) => _html
        .Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>")
        .Append("<style>").Append(Style).Append("</style></head><body>\n<h1>").Append(E(title)).Append("</h1>\n");

    public override void Heading(string text) => _html.Append("<h2>").Append(E(text)).Append("</h2>\n");

    public override void Paragraph(string text) => _html.Append("<p>").Append(E(text)).Append("</p>\n");

    public override void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _html.Append("<table><thead><tr>").Append(string.Concat(headers.Select(h => $"<th scope=\"col\">{E(h)}</th>"))).Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _html.Append("<tr>").Append(string.Concat(row.Select((cell, i) => i == 0 ? $"<th scope=\"row\">{E(cell)}</th>" : $"<td>{E(cell)}</td>"))).Append("</tr>\n");
        }

        _html.Append("</tbody></table>\n");
    }

    public override string End() => _html.Append("</body></html>\n").ToString();

    private static string E(string text) => Html.Encode(text);
}
