using System.Globalization;
using System.Text.Json;
using MedTechTracker.Rules.Adf;

namespace MedTechTracker.Jira;

/// <summary>
/// How every Jira answer is read: failures become <see cref="JiraException"/>s naming the call, the status and Jira's
/// sanitised error text (never issue content); JSON is parsed with the ADF depth limit.
/// </summary>
internal static class JiraResponses
{
    public static async Task<HttpResponseMessage> SendAsync(string operation, string? subject, Func<CancellationToken, Task<HttpResponseMessage>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (Inner<JiraRateLimitedException>(ex) is { } limited)
        {
            // Raised by the rate governor inside the handler chain (Refit wraps it): the caller defers or pauses.
            throw limited;
        }
        catch (Exception ex) when (Inner<JiraException>(ex) is { } jira)
        {
            // The OAuth token or the cloud id could not be had (raised inside the handler chain).
            throw jira;
        }
        catch (Exception ex)
        {
            // Time-outs, an open circuit and network errors: transient. Exception messages here come from the HTTP
            // stack (never from issue content).
            throw new JiraException($"Jira {Join(operation, subject)} failed: {ex.GetType().Name}: {ex.Message}", null, permanent: false, ex);
        }
    }

    private static T? Inner<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, string? subject, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, operation, subject, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<Exception> ErrorAsync(HttpResponseMessage response, string operation, string? subject, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string text;
        try
        {
            text = JiraErrorText.FromBody(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            text = "";
        }

        var permanent = status is 400 or 401 or 403 or 404 or 405 or 410 or 413 or 422;
        return new JiraException(Message(operation, subject, status, text), status, permanent);
    }

    public static string Message(string operation, string? subject, int status, string text) =>
        $"Jira {Join(operation, subject)} failed with HTTP {status}{(text.Length > 0 ? ": " + text : ".")}";

    public static string Join(string operation, string? subject) => subject is null ? operation : $"{operation} {subject}";

    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string operation, string? subject, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, AdfText.ParseOptions, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException ex) when (AdfText.IsTooDeep(ex))
        {
            // Retrying cannot make the document shallower: a clear, permanent failure for this one issue.
            throw new JiraException($"Jira {Join(operation, subject)} returned a document that cannot be processed: {AdfText.TooDeepMessage}.", (int)response.StatusCode, permanent: true, ex);
        }
        catch (JsonException ex)
        {
            throw new JiraException($"Jira {Join(operation, subject)} returned a body that is not JSON (HTTP {(int)response.StatusCode}).", (int)response.StatusCode, permanent: false, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new JiraException($"Jira {Join(operation, subject)} failed while reading the answer: {ex.Message}", (int)response.StatusCode, permanent: false, ex);
        }
    }

    public static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    public static int? IntProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String
                && int.TryParse(text.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    public static JsonElement? ArrayProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : null;
}
