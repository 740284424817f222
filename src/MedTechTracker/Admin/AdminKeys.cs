using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>Finds which configured admin key a presented key is, comparing SHA-256 digests in constant time.</summary>
public sealed class AdminKeys(IOptionsMonitor<AdminOptions> options)
{
    /// <summary>The key's configured name, or null when it is no admin key.</summary>
    public string? NameOf(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 1024)
        {
            return null;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? found = null;

        // Compare against every key, never stopping early, so timing says nothing about which one (or how much) matched.
        foreach (var (name, hex) in options.CurrentValue.Keys)
        {
            var expected = hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit) ? Convert.FromHexString(hex) : new byte[32];
            if (CryptographicOperations.FixedTimeEquals(digest, expected) && found is null)
            {
                found = name;
            }
        }

        return found;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
