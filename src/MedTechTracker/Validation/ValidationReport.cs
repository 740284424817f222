namespace MedTechTracker.Validation;

/// <summary>
/// Everything a run of <c>rules test</c> established, as a customer files it in its Design History File (software
/// validation of a QMS tool, ISO 13485:2016 §4.1.6). Holds rule ids, case file names and issue keys, never issue text.
/// </summary>
public sealed record ValidationReport(
    string ProductVersion,
    DateTimeOffset GeneratedAt,
    string RulesPath,
    string RulesSha256,
    int RuleCount,
    string CorpusPath,
    LabelledCorpus Corpus,
    AcceptanceCriteria Criteria,
    CorpusEvaluation Evaluation,
    string CommandLine)
{
    public IReadOnlyList<string> Failures => Criteria.Failures(Evaluation);

    public bool Passed => Failures.Count == 0;

    public string Verdict => !Criteria.Any ? "NOT JUDGED (no acceptance criteria were given)" : Passed ? "PASS" : "FAIL";

    public IEnumerable<Finding> FindingsOf(FindingKind kind) => Evaluation.Findings.Where(f => f.Kind == kind);

    public const string Purpose =
        "Validation of computer software used in the quality management system (ISO 13485:2016 §4.1.6): the MedTech Compliance "
        + "Tracker's rules were run, through the same planner the service uses, over a labelled corpus of Jira issues, and the "
        + "compliance sub-tasks they would create were compared with those an expert expects.";

    public static readonly IReadOnlyList<(string Term, string Definition)> Definitions =
    [
        ("True positive (TP)", "a rule the labels expect for a case fired."),
        ("False negative (FN)", "a rule the labels expect did not fire (a miss)."),
        ("False positive (FP)", "a rule fired that the labels do not expect; forbidden ones are listed as clearly wrong."),
        ("Precision", "TP / (TP + FP); overall figures are micro averages over all rules and cases."),
        ("Recall", "TP / (TP + FN)."),
        ("Cases free of a forbidden rule", "the share of cases in which no rule the labels forbid fired."),
        ("Rules SHA-256", "the SHA-256 of the rules file's bytes."),
        ("Corpus SHA-256", "the SHA-256 of the lines \"<SHA-256 of the file>  <path>\\n\" for labels.json and every file under issues/, "
            + "paths relative to the corpus directory, sorted by their UTF-8 bytes; recompute it with "
            + "`cd CORPUS && find labels.json issues -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum`."),
    ];
}
