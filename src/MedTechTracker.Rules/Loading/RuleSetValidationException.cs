namespace MedTechTracker.Rules.Loading;

/// <summary>Thrown when a rules file is invalid; carries every error found, not just the first.</summary>
public sealed class RuleSetValidationException(IReadOnlyList<RuleValidationError> errors)
    : Exception(BuildMessage(errors))
{
    public IReadOnlyList<RuleValidationError> Errors { get; } = errors;

    private static string BuildMessage(IReadOnlyList<RuleValidationError> errors) =>
        $"The rules file is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):"
        + Environment.NewLine
        + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
