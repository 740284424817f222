using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>Every configured key must be a SHA-256 in hex, so a pasted plain key stops start-up instead of silently never matching.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = options.Keys
            .Where(k => k.Value is null || k.Value.Length != 64 || !k.Value.All(char.IsAsciiHexDigit))
            .Select(k => $"Admin:Keys:{k.Key} must be the hex SHA-256 of the admin key (64 hex digits), e.g. from `printf %s \"$KEY\" | sha256sum`.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
