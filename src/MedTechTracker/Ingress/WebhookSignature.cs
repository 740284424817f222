using System.Security.Cryptography;
using System.Text;

namespace MedTechTracker.Ingress;

/// <summary>
/// Jira's webhook signature: <c>X-Hub-Signature: sha256=&lt;hex&gt;</c>, the HMAC-SHA256 of the exact raw body
/// keyed by the webhook secret. The method prefix is parsed because Atlassian may add algorithms.
/// </summary>
public sealed class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature";
    public const string Sha256Method = "sha256";

    private readonly byte[][] _keys;

    public WebhookSignature(params string?[] secrets)
    {
        _keys = [.. secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => Encoding.UTF8.GetBytes(s!))];
    }

    public bool HasSecret => _keys.Length > 0;

    /// <summary>The header value Jira would send for <paramref name="body"/> signed with <paramref name="secret"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return Sha256Method + "=" + Convert.ToHexStringLower(mac);
    }

    public SignatureCheck Verify(string? header, ReadOnlySpan<byte> body)
    {
        if (header is null)
        {
            return SignatureCheck.Missing;
        }

        var value = header.AsSpan().Trim();
        var separator = value.IndexOf('=');
        if (separator <= 0)
        {
            return SignatureCheck.Malformed;
        }

        if (!value[..separator].Trim().Equals(Sha256Method, StringComparison.OrdinalIgnoreCase))
        {
            return SignatureCheck.UnsupportedMethod;
        }

        var hex = value[(separator + 1)..].Trim();
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (hex.Length != expected.Length * 2
            || Convert.FromHexString(hex, expected, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != expected.Length)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var matched = false;
        foreach (var key in _keys)
        {
            HMACSHA256.HashData(key, body, actual);

            // Every key is tried and compared in constant time, so timing reveals neither the MAC nor which secret matched.
            matched |= CryptographicOperations.FixedTimeEquals(actual, expected);
        }

        return matched ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }
}
