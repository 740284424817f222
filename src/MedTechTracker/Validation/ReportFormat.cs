namespace MedTechTracker.Validation;

/// <summary>The few blocks a validation report is made of, rendered as Markdown or HTML.</summary>
public abstract class ReportFormat
{
    public abstract void Begin(string title);

    public abstract void Heading(string text);

    public abstract void Paragraph(string text);

    /// <summary>A table whose first column heads each row.</summary>
    public abstract void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows);

    public abstract string End();

    /// <summary>Markdown for <c>.md</c>/<c>.markdown</c>, HTML for <c>.html</c>/<c>.htm</c>, else null.</summary>
    public static ReportFormat? ForFile(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".md" or ".markdown" => new MarkdownReportFormat(),
        ".html" or ".htm" => new HtmlReportFormat(),
        _ => null,
    };
}
