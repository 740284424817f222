namespace MedTechTracker.Validation;

/// <summary>A rule set run over a labelled corpus: per-rule scores, micro-averaged totals and every finding.</summary>
public sealed record CorpusEvaluation(IReadOnlyList<RuleScore> Rules, IReadOnlyList<Finding> Findings, int Cases, int CasesWithoutForbidden)
{
    public int TruePositives => Rules.Sum(r => r.TruePositives);

    public int FalsePositives => Rules.Sum(r => r.FalsePositives);

    public int FalseNegatives => Rules.Sum(r => r.FalseNegatives);

    /// <summary>Micro precision: all true positives over everything that fired.</summary>
    public double? Precision => RuleScore.Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Micro recall: all true positives over everything expected.</summary>
    public double? Recall => RuleScore.Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>The share of cases in which no forbidden rule fired.</summary>
    public double CleanShare => Cases == 0 ? 1 : (double)CasesWithoutForbidden / Cases;
}
