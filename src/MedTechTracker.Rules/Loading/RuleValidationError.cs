namespace MedTechTracker.Rules.Loading;

/// <summary>One problem in a rules file, naming the file, the rule and the key.</summary>
public sealed record RuleValidationError(string File, string? RuleId, string Key, string Message)
{
    public override string ToString() => RuleId is null
        ? $"{File}: '{Key}': {Message}"
        : $"{File}: rule '{RuleId}': '{Key}': {Message}";
}
