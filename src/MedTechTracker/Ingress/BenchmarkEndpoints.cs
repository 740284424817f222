using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MedTechTracker.Ingress;

/// <summary>
/// POST /benchmark/noop, mapped only when Benchmark:NoOpEndpoint=true: reads the body the way the webhook
/// handler does and answers 202, so the ingress benchmark has a ceiling measured in the same host.
/// </summary>
public static class BenchmarkEndpoints
{
    public const string FlagKey = "Benchmark:NoOpEndpoint";

    public static async Task<Results<Accepted, ProblemHttpResult>> NoOpAsync(HttpContext context)
    {
        var (buffer, length) = await RequestBody.ReadAsync(context.Request, 1024 * 1024, context.RequestAborted).ConfigureAwait(false);
        if (buffer is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        buffer.AsSpan(0, length).Clear();
        ArrayPool<byte>.Shared.Return(buffer);
        return TypedResults.Accepted((string?)null);
    }
}
