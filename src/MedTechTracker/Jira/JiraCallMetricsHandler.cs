using System.Globalization;
using MedTechTracker.Telemetry;

namespace MedTechTracker.Jira;

/// <summary>
/// Counts every attempt sent to Jira in <see cref="TrackerTelemetry.JiraCalls"/> by operation and status.
/// Sits inside the resilience handler so retries and 429s are visible. Tags never carry paths or text.
/// </summary>
public sealed class JiraCallMetricsHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = OperationOf(request);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Record(operation, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            return response;
        }
        catch (OperationCanceledException)
        {
            Record(operation, "cancelled");
            throw;
        }
        catch
        {
            Record(operation, "exception");
            throw;
        }
    }

    private static void Record(string operation, string status) =>
        TrackerTelemetry.JiraCalls.Add(1, new("operation", operation), new("status", status));

    internal static string OperationOf(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var isGet = request.Method == HttpMethod.Get;
        return path switch
        {
            _ when path.EndsWith("/myself", StringComparison.Ordinal) => "myself",
            _ when path.Contains("/issue/createmeta/", StringComparison.Ordinal) => "createmeta",
            _ when path.EndsWith("/issue/bulk", StringComparison.Ordinal) => "issue.bulk",
            _ when path.EndsWith("/search/jql", StringComparison.Ordinal) => "search",
            _ when path.EndsWith("/search/approximate-count", StringComparison.Ordinal) => "search.count",
            _ when path.EndsWith("/project/search", StringComparison.Ordinal) => "project.search",
            _ when isGet && path.Contains("/issue/", StringComparison.Ordinal) => "issue.get",
            _ => "other",
        };
    }
}
