using System.Net.Http.Headers;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using MedTechTracker.Ingress;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MedTechTracker.IntegrationTests.Ingress;

public sealed class JiraWebhookEndpointTests
{
    [Fact]
    public async Task Signed_issue_created_webhook_is_enqueued_as_a_reference_and_answered_202()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        await using var host = await IngressTestHost.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));

        using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated("MED-42", "10042", timestamp: clock.GetUtcNow()).ToJsonString(), "webhook-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var message = Assert.Single(host.Queue.Enqueued);
        Assert.Equal("webhook-1", message.MessageId);
        Assert.Equal("10042", message.IssueId);
        Assert.Equal("MED-42", message.IssueKey);
        Assert.Equal("MED", message.ProjectKey);
        Assert.Equal(clock.GetUtcNow(), message.ReceivedAt);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", message.TraceParent);
    }

    [Fact]
    public async Task Webhook_without_an_identifier_uses_the_body_hash_as_message_id()
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = Encoding.UTF8.GetBytes(WebhookBodies.IssueCreated().ToJsonString());

        using var first = await host.Client.SendAsync(IngressTestHost.SignedRequest(body, webhookId: null));
        using var second = await host.Client.SendAsync(IngressTestHost.SignedRequest(body, webhookId: null));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var message = Assert.Single(host.Queue.Enqueued);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), message.MessageId);
    }

    [Fact]
    public async Task Duplicate_webhook_id_is_answered_202_and_enqueued_once()
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated().ToJsonString();

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.PostSignedAsync(body, "same-delivery");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Single(host.Queue.Enqueued);
        Assert.Equal(1, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Missing_signature_is_401_and_nothing_is_enqueued()
    {
        await using var host = await IngressTestHost.StartAsync();
        using var request = IngressTestHost.SignedRequest(Encoding.UTF8.GetBytes(WebhookBodies.IssueCreated().ToJsonString()), "w1");
        request.Headers.Remove(WebhookSignature.HeaderName);

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Theory]
    [InlineData("signed with another secret")]
    [InlineData("sha1=0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33")]
    [InlineData("sha256=not-hex")]
    [InlineData("a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")]
    [InlineData("sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")]
    public async Task Wrong_or_malformed_signature_is_401_and_nothing_is_enqueued(string signature)
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = Encoding.UTF8.GetBytes(WebhookBodies.IssueCreated().ToJsonString());
        using var request = IngressTestHost.SignedRequest(body, "w1");
        request.Headers.Remove(WebhookSignature.HeaderName);
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature == "signed with another secret" ? WebhookSignature.Sign("another secret", body) : signature);

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Secondary_secret_is_accepted_while_the_secret_is_rotated()
    {
        await using var host = await IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:Secret"] = "the new secret", ["Webhook:SecondarySecret"] = IngressTestHost.Secret });
        byte[] Body(int n) => Encoding.UTF8.GetBytes(WebhookBodies.IssueCreated($"MED-{n}", $"1000{n}").ToJsonString());

        using var oldSecret = await host.Client.SendAsync(IngressTestHost.SignedRequest(Body(1), "w-old", IngressTestHost.Secret));
        using var newSecret = await host.Client.SendAsync(IngressTestHost.SignedRequest(Body(2), "w-new", "the new secret"));
        using var neither = await host.Client.SendAsync(IngressTestHost.SignedRequest(Body(3), "w-neither", "a retired secret"));

        Assert.Equal(HttpStatusCode.Accepted, oldSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, newSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, neither.StatusCode);
        Assert.Equal(["w-old", "w-new"], host.Queue.Enqueued.Select(m => m.MessageId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_limit_is_413_with_or_without_content_length(bool declareLength)
    {
        await using var host = await IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:MaxBodyBytes"] = "4096" });
        var body = WebhookBodies.IssueCreated(description: new string('x', 5000)).ToJsonString();
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = IngressTestHost.SignedRequest(bytes, "w-big");
        if (!declareLength)
        {
            request.Content = new StreamContent(new NonSeekableStream(bytes));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        }

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Body_at_the_limit_is_accepted()
    {
        await using var host = await IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:MaxBodyBytes"] = "4096" });
        var json = WebhookBodies.IssueCreated(description: "").ToJsonString();
        var padded = json[..^1] + ",\"pad\":\"" + new string('p', 4096 - json.Length - 9) + "\"}";
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(padded));

        using var response = await host.PostSignedAsync(padded);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    public async Task Content_type_other_than_json_is_415(string contentType)
    {
        await using var host = await IngressTestHost.StartAsync();

        using var response = await host.Client.SendAsync(IngressTestHost.SignedRequest(Encoding.UTF8.GetBytes(WebhookBodies.IssueCreated().ToJsonString()), "w1", contentType: contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Malformed_json_is_400_with_a_problem_that_does_not_echo_the_body()
    {
        await using var host = await IngressTestHost.StartAsync();
        const string canary = "CANARY-malformed-7f3a";

        using var response = await host.PostSignedAsync($$"""{"webhookEvent":"jira:issue_created","issue":{"fields":{"summary":"{{canary}}" """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("not valid JSON", text, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Theory]
    [InlineData("id", "issue.id")]
    [InlineData("key", "issue.key")]
    [InlineData("project", "issue.fields.project.key")]
    public async Task Missing_issue_field_is_400_naming_the_field(string remove, string named)
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated();
        var issue = body["issue"]!.AsObject();
        if (remove == "project")
        {
            issue["fields"]!["project"]!.AsObject().Remove("key");
        }
        else
        {
            issue.Remove(remove);
        }

        using var response = await host.PostSignedAsync(body.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(named + " is missing", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Issue_key_that_is_not_a_key_is_400_without_echoing_it()
    {
        await using var host = await IngressTestHost.StartAsync();

        using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated().ToJsonString().Replace("\"key\":\"MED-42\"", "\"key\":\"drop table issues\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("issue.key is not a Jira issue key", text, StringComparison.Ordinal);
        Assert.DoesNotContain("drop table", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other event")]
    [InlineData("subtask flag")]
    [InlineData("hierarchy level -1")]
    [InlineData("bot accountId")]
    [InlineData("bot accoundId")]
    public async Task Events_that_need_no_work_are_acknowledged_with_204_and_not_enqueued(string kind)
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated();
        var issueType = body["issue"]!["fields"]!["issuetype"]!.AsObject();
        switch (kind)
        {
            case "other event":
                body["webhookEvent"] = "jira:issue_updated";
                break;
            case "subtask flag":
                issueType["subtask"] = true;
                break;
            case "hierarchy level -1":
                issueType.Remove("subtask");
                issueType["hierarchyLevel"] = -1;
                break;
            case "bot accountId":
                body["user"]!["accountId"] = IngressTestHost.BotAccountId;
                break;
            default:
                var user = body["user"]!.AsObject();
                user.Remove("accountId");
                user["accoundId"] = IngressTestHost.BotAccountId;
                break;
        }

        using var response = await host.PostSignedAsync(body.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Queue_failure_is_503_with_retry_after_so_Jira_retries()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Queue.FailWith = new IOException("disk full");

        using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated().ToJsonString());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Empty(host.Queue.Enqueued);
    }

    [Fact]
    public async Task A_signed_body_replayed_with_a_new_webhook_id_is_dropped_before_the_queue()
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated("MED-42", "10042").ToJsonString();

        using var original = await host.PostSignedAsync(body, "delivery-1");
        using var replay = await host.PostSignedAsync(body, "attacker-chosen-id");
        using var otherIssue = await host.PostSignedAsync(WebhookBodies.IssueCreated("MED-43", "10043").ToJsonString(), "delivery-2");

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted), (original.StatusCode, replay.StatusCode, otherIssue.StatusCode));
        Assert.Equal(["delivery-1", "delivery-2"], host.Queue.Enqueued.Select(m => m.MessageId));
        Assert.Equal(2, host.Queue.EnqueueCalls);
        Assert.Contains(host.Logs.Lines, line => line.Contains("attacker-chosen-id", StringComparison.Ordinal) && line.Contains("already accepted", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-61)]
    [InlineData(-24 * 60)]
    [InlineData(6)]
    public async Task A_webhook_whose_timestamp_is_outside_the_freshness_window_is_refused_without_a_retry(int minutes)
    {
        await using var host = await IngressTestHost.StartAsync();

        using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated(timestamp: DateTimeOffset.UtcNow.AddMinutes(minutes)).ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task A_late_jira_retry_within_the_window_is_accepted()
    {
        await using var host = await IngressTestHost.StartAsync();

        using var response = await host.PostSignedAsync(WebhookBodies.IssueCreated(timestamp: DateTimeOffset.UtcNow.AddMinutes(-45)).ToJsonString());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(host.Queue.Enqueued);
    }

    [Fact]
    public async Task After_a_503_the_retry_of_the_same_event_gets_through()
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated().ToJsonString();
        host.Queue.FailWith = new IOException("disk full");
        using var failed = await host.PostSignedAsync(body, "delivery-1");
        host.Queue.FailWith = null;

        using var retried = await host.PostSignedAsync(body, "delivery-1");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.Accepted), (failed.StatusCode, retried.StatusCode));
        Assert.Single(host.Queue.Enqueued);
    }

    [Fact]
    public async Task A_webhook_without_a_timestamp_is_refused()
    {
        await using var host = await IngressTestHost.StartAsync();
        var body = WebhookBodies.IssueCreated();
        body.Remove("timestamp");

        using var response = await host.PostSignedAsync(body.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, host.Queue.EnqueueCalls);
    }

    [Fact]
    public async Task Unsigned_webhooks_are_accepted_only_when_allowed_and_that_is_logged_as_a_warning()
    {
        await using var host = await IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:Secret"] = null, ["Webhook:AllowUnsigned"] = "true" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/jira")
        {
            Content = new StringContent(WebhookBodies.IssueCreated().ToJsonString(), Encoding.UTF8, "application/json"),
        };

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains(host.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("Webhook:AllowUnsigned is true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_up_without_a_secret_fails_naming_Webhook_Secret()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:Secret"] = null }));

        Assert.Contains("Webhook:Secret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_are_never_logged()
    {
        await using var host = await IngressTestHost.StartAsync(new Dictionary<string, string?> { ["Webhook:SecondarySecret"] = "rotation-secret-5d1c" });
        using var ok = await host.PostSignedAsync(WebhookBodies.IssueCreated().ToJsonString());
        using var bad = await host.Client.SendAsync(IngressTestHost.SignedRequest("{}"u8.ToArray(), "w", "guess"));

        Assert.NotEmpty(host.Logs.Lines);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(IngressTestHost.Secret, StringComparison.Ordinal) || line.Contains("rotation-secret-5d1c", StringComparison.Ordinal));
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
