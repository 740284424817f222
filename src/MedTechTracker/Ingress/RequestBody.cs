using System.Buffers;

namespace MedTechTracker.Ingress;

/// <summary>Reads a request body into a pooled buffer, stopping as soon as it exceeds the limit.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/>. The caller returns the buffer to the pool.</summary>
    public static async ValueTask<(byte[]? Buffer, int Length)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            return (null, 0);
        }

        // Kestrel's own limit (30 MB by default) must not undercut a larger configured one.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit
            && limit.MaxRequestBodySize < maxBytes + 1L)
        {
            limit.MaxRequestBodySize = maxBytes + 1L;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? 16 * 1024, maxBytes) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, 0);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (buffer, length);
    }
}
