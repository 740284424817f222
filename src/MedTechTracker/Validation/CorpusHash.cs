using System.Security.Cryptography;
using System.Text;

namespace MedTechTracker.Validation;

/// <summary>
/// The corpus SHA-256: the SHA-256 of a manifest with one line per file, <c>"{sha256 of the file, lower-case hex}  {path}\n"</c>,
/// for <c>labels.json</c> and every file under <c>issues/</c>, paths relative to the corpus directory with <c>/</c>, sorted by
/// their UTF-8 bytes. That manifest is exactly what <c>sha256sum</c> prints, so anyone can recompute it:
/// <c>cd DIR &amp;&amp; find labels.json issues -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum</c>.
/// </summary>
public static class CorpusHash
{
    public static string Compute(IEnumerable<(string RelativePath, byte[] Content)> files)
    {
        var manifest = new StringBuilder();
        foreach (var (path, content) in files.OrderBy(f => Encoding.UTF8.GetBytes(f.RelativePath), ByteOrder.Instance))
        {
            manifest.Append(Hex(content)).Append("  ").Append(path).Append('\n');
        }

        return Hex(Encoding.UTF8.GetBytes(manifest.ToString()));
    }

    public static string Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
