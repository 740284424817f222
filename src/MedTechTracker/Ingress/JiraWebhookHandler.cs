using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Storage;
using MedTechTracker.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace MedTechTracker.Ingress;

/// <summary>
/// POST /webhooks/jira. Thin on purpose: verify, filter, enqueue a reference, answer. It never calls Jira,
/// never matches rules and never keeps issue text: the body lives only in a pooled buffer that is wiped on return.
/// Status codes are chosen for Jira's retry policy: 4xx only for input that can never become valid,
/// 503 only when the message could not be made durable (Jira then retries).
/// Edits (<c>jira:issue_updated</c>) are taken only when their changelog touches a field a rule reads or moves the issue,
/// and only for a project that is On or Shadow with its on-update choice on; they are enqueued to coalesce, so a
/// burst of edits leaves at most one message of the issue waiting.
/// </summary>
public static partial class JiraWebhookHandler
{
    public const string WebhookIdHeader = "X-Atlassian-Webhook-Identifier";
    public const int RetryAfterSeconds = 10;

    // Service Bus limits message ids to 128 characters; Jira's identifiers are far shorter.
    private const int MaxWebhookIdLength = 128;

    public static async Task<Results<Accepted, NoContent, ProblemHttpResult>> HandleAsync(
        HttpContext context,
        [FromServices] IWorkQueue queue,
        [FromServices] WebhookSignature signature,
        [FromServices] IOptions<WebhookOptions> options,
        [FromServices] BotIdentity bot,
        [FromServices] WebhookReplayGuard replays,
        [FromServices] ISettingsStore settings,
        [FromServices] TimeProvider timeProvider,
        [FromServices] ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(JiraWebhookHandler).FullName!);
        var request = context.Request;
        var webhookOptions = options.Value;

        byte[]? buffer;
        int length;
        try
        {
            (buffer, length) = await RequestBody.ReadAsync(request, webhookOptions.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own framing errors (bad chunking, its body-size limit): its status code, never a 5xx.
            return Reject(ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? WebhookOutcome.TooLarge : WebhookOutcome.Invalid, ex.StatusCode, "The request body could not be read.");
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The sender went away mid-body; nobody reads this answer, but it must not count as a server error.
            return Reject(WebhookOutcome.Invalid, StatusCodes.Status400BadRequest, "The request body could not be read.");
        }

        if (buffer is null)
        {
            Log.TooLarge(logger, webhookOptions.MaxBodyBytes);
            return Reject(WebhookOutcome.TooLarge, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {webhookOptions.MaxBodyBytes} bytes.");
        }

        try
        {
            return await HandleBodyAsync(context, buffer.AsMemory(0, length), queue, signature, webhookOptions, bot, replays, settings, timeProvider, logger).ConfigureAwait(false);
        }
        finally
        {
            buffer.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<Results<Accepted, NoContent, ProblemHttpResult>> HandleBodyAsync(
        HttpContext context,
        ReadOnlyMemory<byte> body,
        IWorkQueue queue,
        WebhookSignature signature,
        WebhookOptions options,
        BotIdentity bot,
        WebhookReplayGuard replays,
        ISettingsStore settings,
        TimeProvider timeProvider,
        ILogger logger)
    {
        var request = context.Request;
        var signatureHeader = request.Headers[WebhookSignature.HeaderName];
        if (signatureHeader.Count > 1)
        {
            Log.BadSignature(logger, SignatureCheck.Malformed);
            return Reject(WebhookOutcome.Unauthorized, StatusCodes.Status401Unauthorized, "X-Hub-Signature must appear once.");
        }

        var unsignedAllowed = options.AllowUnsigned && (signatureHeader.Count == 0 || !signature.HasSecret);
        if (!unsignedAllowed)
        {
            var check = signature.Verify(signatureHeader.Count == 0 ? null : signatureHeader[0], body.Span);
            if (check != SignatureCheck.Valid)
            {
                Log.BadSignature(logger, check);
                return Reject(WebhookOutcome.Unauthorized, StatusCodes.Status401Unauthorized, check switch
                {
                    SignatureCheck.Missing => "X-Hub-Signature is missing.",
                    SignatureCheck.UnsupportedMethod => "X-Hub-Signature uses an unsupported method; only sha256 is supported.",
                    SignatureCheck.Malformed => "X-Hub-Signature is not of the form sha256=<hex>.",
                    _ => "X-Hub-Signature does not match the body.",
                });
            }
        }

        if (!IsJson(request.ContentType))
        {
            return Reject(WebhookOutcome.UnsupportedMediaType, StatusCodes.Status415UnsupportedMediaType, "The body must be application/json (UTF-8).");
        }

        var webhookIdHeader = request.Headers[WebhookIdHeader];
        string webhookId;
        if (webhookIdHeader.Count == 0 || string.IsNullOrEmpty(webhookIdHeader[0]))
        {
            // Without Jira's identifier, identical redeliveries still collapse onto one message id.
            webhookId = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        }
        else if (webhookIdHeader.Count > 1 || !IsWebhookId(webhookIdHeader[0]!))
        {
            return Reject(WebhookOutcome.Invalid, StatusCodes.Status400BadRequest, $"{WebhookIdHeader} must be one value of 1-{MaxWebhookIdLength} visible ASCII characters.");
        }
        else
        {
            webhookId = webhookIdHeader[0]!;
        }

        var payload = WebhookPayloadReader.Read(body.Span);
        if (payload.Error is not null)
        {
            Log.Invalid(logger, webhookId, payload.Error);
            return Reject(WebhookOutcome.Invalid, StatusCodes.Status400BadRequest, payload.Error);
        }

        var ignoredBecause = payload.IsIssueUpdated && !payload.IsRelevantUpdate ? "an edit of no field a rule reads"
            : !payload.IsIssueCreated && !payload.IsIssueUpdated ? "not an issue_created or issue_updated event"
            : payload.IsSubtask ? "a sub-task"
            : bot.IsBot(payload.UserAccountId) ? (payload.IsIssueUpdated ? "edited by the bot" : "created by the bot")
            : null;
        if (ignoredBecause is not null)
        {
            Log.Ignored(logger, webhookId, payload.IssueKey is { } key && Storage.ProjectKey.IsValidIssueKey(key) ? key : null, ignoredBecause);
            Count(WebhookOutcome.Ignored);
            return TypedResults.NoContent();
        }

        // The signature does not cover the webhook id, so a captured body could be replayed under a new id: only
        // fresh events are taken, and each (event, issue) once within the window, whatever its id.
        var now = timeProvider.GetUtcNow();
        var timestamp = payload.Timestamp!.Value;
        if (timestamp < now - options.FreshnessWindow || timestamp > now + options.MaxClockSkew)
        {
            Log.Stale(logger, webhookId, payload.IssueKey!, (long)(now - timestamp).TotalSeconds);
            return Reject(WebhookOutcome.Stale, StatusCodes.Status400BadRequest,
                $"timestamp is outside the accepted window (at most {options.FreshnessWindow} old, {options.MaxClockSkew} ahead).");
        }

        if (payload.IsIssueUpdated)
        {
            ProjectSettings? project;
            try
            {
                project = await settings.GetAsync(payload.ProjectKey!, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.SettingsUnavailable(logger, ex, webhookId, payload.IssueKey!);
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Reject(WebhookOutcome.Unavailable, StatusCodes.Status503ServiceUnavailable, "The project settings could not be read; retry later.");
            }

            if (project is null || project.Mode == ProjectMode.Off || !project.OnUpdate)
            {
                Log.Ignored(logger, webhookId, payload.IssueKey, project is null || project.Mode == ProjectMode.Off ? "an edit in a project that is Off" : "an edit in a project whose on-update choice is off");
                Count(WebhookOutcome.Ignored);
                return TypedResults.NoContent();
            }
        }

        // An edit is one changelog entry: its id (or, without one, its time) tells a replay from the next edit.
        var eventName = payload.IsIssueUpdated
            ? $"{WebhookPayloadReader.IssueUpdatedEvent}#{(payload.ChangelogId is { Length: > 0 } changelogId ? changelogId : timestamp.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture))}"
            : payload.Event ?? WebhookPayloadReader.IssueCreatedEvent;
        if (!replays.TryClaim(eventName, payload.IssueId!))
        {
            Log.Replayed(logger, webhookId, payload.IssueKey!);
            Count(WebhookOutcome.Replay);
            return TypedResults.Accepted((string?)null);
        }

        using var activity = TrackerTelemetry.ActivitySource.StartActivity("webhook enqueue", ActivityKind.Producer);
        activity?.SetTag("messaging.message.id", webhookId);
        activity?.SetTag("mtc.issue.key", payload.IssueKey);
        activity?.SetTag("mtc.project.key", payload.ProjectKey);
        var current = Activity.Current;
        var reference = new IssueReference(
            webhookId,
            payload.IssueId!,
            payload.IssueKey!,
            payload.ProjectKey!,
            now,
            current?.Id,
            current?.TraceStateString,
            Coalesce: payload.IsIssueUpdated);

        EnqueueOutcome outcome;
        try
        {
            // The request's abort token is not passed: once Jira has sent the webhook, the message should become durable.
            outcome = await queue.EnqueueAsync(reference, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            replays.Release(eventName, payload.IssueId!);
            Log.EnqueueFailed(logger, ex, webhookId, reference.IssueKey);
            activity?.SetStatus(ActivityStatusCode.Error, "enqueue failed");
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Reject(WebhookOutcome.Unavailable, StatusCodes.Status503ServiceUnavailable, "The webhook could not be stored; retry later.");
        }

        var tag = outcome switch
        {
            EnqueueOutcome.Duplicate => WebhookOutcome.Duplicate,
            EnqueueOutcome.Coalesced => WebhookOutcome.Coalesced,
            _ => WebhookOutcome.Accepted,
        };
        activity?.SetTag("mtc.outcome", tag);
        Log.Accepted(logger, webhookId, reference.IssueKey, tag);
        Count(tag);
        return TypedResults.Accepted((string?)null);
    }

    internal static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var isJson = mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        var charset = mediaType.Charset;
        return isJson && (!charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    internal static bool IsWebhookId(string value) =>
        value.Length is > 0 and <= MaxWebhookIdLength && value.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0;

    private static ProblemHttpResult Reject(string outcome, int statusCode, string reason)
    {
        Count(outcome);
        return TypedResults.Problem(detail: reason, statusCode: statusCode);
    }

    private static void Count(string outcome) =>
        TrackerTelemetry.Webhooks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Rejected a webhook: signature {SignatureCheck}")]
        public static partial void BadSignature(ILogger logger, SignatureCheck signatureCheck);

        [LoggerMessage(2, LogLevel.Warning, "Rejected a webhook larger than {MaxBodyBytes} bytes")]
        public static partial void TooLarge(ILogger logger, int maxBodyBytes);

        [LoggerMessage(3, LogLevel.Information, "Rejected webhook {WebhookId}: {Reason}")]
        public static partial void Invalid(ILogger logger, string webhookId, string reason);

        [LoggerMessage(4, LogLevel.Debug, "Ignored webhook {WebhookId} for {IssueKey}: {Why}")]
        public static partial void Ignored(ILogger logger, string webhookId, string? issueKey, string why);

        [LoggerMessage(5, LogLevel.Debug, "Webhook {WebhookId} for {IssueKey}: {Outcome}")]
        public static partial void Accepted(ILogger logger, string webhookId, string issueKey, string outcome);

        [LoggerMessage(7, LogLevel.Warning, "Rejected webhook {WebhookId} for {IssueKey}: its timestamp is {AgeSeconds} s old, outside the freshness window")]
        public static partial void Stale(ILogger logger, string webhookId, string issueKey, long ageSeconds);

        [LoggerMessage(8, LogLevel.Information, "Dropped webhook {WebhookId} for {IssueKey}: the same event for this issue was already accepted (a replay or a retry)")]
        public static partial void Replayed(ILogger logger, string webhookId, string issueKey);

        [LoggerMessage(9, LogLevel.Error, "Could not read the project settings for webhook {WebhookId} for {IssueKey}; answered 503 so Jira retries")]
        public static partial void SettingsUnavailable(ILogger logger, Exception exception, string webhookId, string issueKey);

        [LoggerMessage(6, LogLevel.Error, "Could not enqueue webhook {WebhookId} for {IssueKey}; answered 503 so Jira retries")]
        public static partial void EnqueueFailed(ILogger logger, Exception exception, string webhookId, string issueKey);
    }
}
