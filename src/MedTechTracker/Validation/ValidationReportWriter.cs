using System.Globalization;

namespace MedTechTracker.Validation;

/// <summary>Lays a <see cref="ValidationReport"/> out in a <see cref="ReportFormat"/>: identification, method, criteria and verdict, results, findings, sign-off.</summary>
public static class ValidationReportWriter
{
    public static string Render(ValidationReport report, ReportFormat format)
    {
        var evaluation = report.Evaluation;
        var corpus = report.Corpus;
        format.Begin("Software validation report: MedTech Compliance Tracker rules");
        format.Paragraph(ValidationReport.Purpose);

        format.Heading("Identification");
        format.Table(["Item", "Value"],
        [
            ["Tool", "MedTech Compliance Tracker (medtech-tracker)"],
            ["Product version", report.ProductVersion],
            ["Date (UTC)", report.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"],
            ["Rules file", report.RulesPath],
            ["Rules SHA-256", report.RulesSha256],
            ["Rules", report.RuleCount.ToString(CultureInfo.InvariantCulture)],
            ["Corpus", report.CorpusPath],
            ["Corpus name", corpus.Name],
            ["Corpus author", corpus.Author],
            ["Corpus format version", corpus.Version.ToString(CultureInfo.InvariantCulture)],
            ["Corpus SHA-256", corpus.Sha256],
            ["Corpus files hashed", corpus.FileCount.ToString(CultureInfo.InvariantCulture)],
            ["Cases", corpus.Cases.Count.ToString(CultureInfo.InvariantCulture)],
            ["Command", report.CommandLine],
        ]);

        format.Heading("Method and definitions");
        format.Table(["Term", "Definition"], ValidationReport.Definitions.Select(d => (IReadOnlyList<string>)[d.Term, d.Definition]));

        format.Heading("Acceptance criteria and verdict");
        format.Table(["Criterion", "Minimum", "Result", "Met"],
        [
            Criterion("Recall (micro)", report.Criteria.MinRecall, evaluation.Recall),
            Criterion("Precision (micro)", report.Criteria.MinPrecision, evaluation.Precision),
        ]);
        format.Paragraph($"Verdict: {report.Verdict}.{(report.Failures.Count > 0 ? " " + string.Join("; ", report.Failures) + "." : "")}");

        format.Heading("Overall results");
        format.Table(["Figure", "Value"],
        [
            ["True positives", N(evaluation.TruePositives)],
            ["False positives", N(evaluation.FalsePositives)],
            ["False negatives", N(evaluation.FalseNegatives)],
            ["Precision (micro)", AcceptanceCriteria.Format(evaluation.Precision)],
            ["Recall (micro)", AcceptanceCriteria.Format(evaluation.Recall)],
            ["Cases free of a forbidden rule", $"{N(evaluation.CasesWithoutForbidden)} of {N(evaluation.Cases)} ({AcceptanceCriteria.Format(evaluation.CleanShare)})"],
        ]);

        format.Heading("Results per rule");
        format.Table(["Rule", "TP", "FP", "FN", "Precision", "Recall"], evaluation.Rules.Select(r => (IReadOnlyList<string>)
            [r.RuleId, N(r.TruePositives), N(r.FalsePositives), N(r.FalseNegatives), AcceptanceCriteria.Format(r.Precision), AcceptanceCriteria.Format(r.Recall)]));

        Findings(format, report, FindingKind.Missed, "Misses (expected rules that did not fire)");
        Findings(format, report, FindingKind.ForbiddenFired, "Forbidden rules that fired");
        Findings(format, report, FindingKind.Unexpected, "Other rules that fired without being expected");

        format.Heading("Review and approval");
        format.Table(["Role", "Name", "Signature", "Date"], [["Performed by", "", "", ""], ["Reviewed by", "", "", ""], ["Approved by", "", "", ""]]);
        return format.End();
    }

    private static void Findings(ReportFormat format, ValidationReport report, FindingKind kind, string title)
    {
        var findings = report.FindingsOf(kind).ToList();
        format.Heading($"{title}: {findings.Count}");
        if (findings.Count == 0)
        {
            format.Paragraph("None.");
            return;
        }

        format.Table(["Case file", "Issue", "Rule", "Reason"], findings.Select(f => (IReadOnlyList<string>)[f.File, f.IssueKey, f.RuleId, f.Reason]));
    }

    private static string[] Criterion(string name, double? minimum, double? actual) =>
        [name, minimum is null ? "none" : AcceptanceCriteria.Format(minimum), AcceptanceCriteria.Format(actual), minimum is null ? "not judged" : actual >= minimum ? "yes" : "no"];

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
