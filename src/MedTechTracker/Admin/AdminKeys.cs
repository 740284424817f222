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

    /// <summary>
    /// A short fingerprint of the key's configured hash (null when no such key is configured): a session records it,
    /// so rotating the hash ends the session. It reveals nothing usable about the key.
    /// </summary>
    public string? FingerprintOf(string name) =>
        options.CurrentValue.Keys.TryGetValue(name, out var hex) && hex is not null ? Fingerprint(hex) : null;

    /// <summary>Every configured key's name and fingerprint.</summary>
    public IReadOnlyDictionary<string, string> Fingerprints() =>
        options.CurrentValue.Keys.Where(k => k.Value is not null).ToDictionary(k => k.Key, k => Fingerprint(k.Value), StringComparer.Ordinal);

    private static string Fingerprint(string hex) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("mtc-admin-session:" + hex.Trim().ToLowerInvariant())))[..16];

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
