using System.Globalization;

namespace MedTechTracker.Validation;

/// <summary>The thresholds a run must meet; an undefined figure (nothing fired, nothing expected) never meets one.</summary>
public sealed record AcceptanceCriteria(double? MinRecall, double? MinPrecision)
{
    public bool Any => MinRecall is not null || MinPrecision is not null;

    /// <summary>One line per threshold that is not met; empty when all are.</summary>
    public IReadOnlyList<string> Failures(CorpusEvaluation evaluation)
    {
        var failures = new List<string>();
        Check("recall", MinRecall, evaluation.Recall);
        Check("precision", MinPrecision, evaluation.Precision);
        return failures;

        void Check(string name, double? minimum, double? actual)
        {
            if (minimum is { } min && !(actual >= min))
            {
                failures.Add($"{name} {Format(actual)} is below the minimum {Format(min)}");
            }
        }
    }

    public static string Format(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
}
