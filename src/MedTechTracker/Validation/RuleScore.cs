namespace MedTechTracker.Validation;

/// <summary>How one rule did on a corpus; precision and recall are null when undefined (nothing fired, nothing expected).</summary>
public sealed record RuleScore(string RuleId, int TruePositives, int FalsePositives, int FalseNegatives)
{
    public double? Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    public double? Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    internal static double? Ratio(int part, int whole) => whole == 0 ? null : (double)part / whole;
}
