using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedTechTracker.Storage;

namespace MedTechTracker.IntegrationTests.Ingress;

/// <summary>The webhook endpoint with <c>jira:issue_updated</c> bodies, a recording queue and an in-memory settings store.</summary>
public sealed class IngressEditTests
{
    private const string Canary = "CANARY-changelog-5a0c17";

    [Fact]
    public async Task An_accepted_edit_enqueues_a_coalescing_reference_and_its_changelog_text_is_in_no_message_log_line_or_span()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Store.With("MED", ProjectMode.On);

        using var response = await host.PostSignedAsync(Edit("MED-7", "10007", "summary").ToJsonString(), "edit-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.App.StopAsync();
        var message = Assert.Single(host.Queue.Enqueued);
        Assert.Equal(("edit-1", "MED-7", "10007", "MED", true), (message.MessageId, message.IssueKey, message.IssueId, message.ProjectKey, message.Coalesce));
        Assert.DoesNotContain(Canary, JsonSerializer.Serialize(message), StringComparison.Ordinal);
        Assert.NotEmpty(host.Logs.Lines);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(Canary, StringComparison.Ordinal));
        Assert.Contains(host.Spans, span => span.OperationName == "webhook enqueue");
        Assert.DoesNotContain(host.Spans, span => span.TagObjects.Any(t => $"{t.Key}={t.Value}".Contains(Canary, StringComparison.Ordinal)) || span.DisplayName.Contains(Canary, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "summary")]
    [InlineData(ProjectMode.Off, "summary")]
    [InlineData(ProjectMode.On, "status")]
    public async Task An_edit_in_a_project_that_is_not_enabled_or_of_a_field_no_rule_reads_is_answered_204_and_not_enqueued(ProjectMode? mode, string fieldId)
    {
        await using var host = await IngressTestHost.StartAsync();
        if (mode is { } m)
        {
            host.Store.With("MED", m);
        }

        using var response = await host.PostSignedAsync(Edit("MED-7", "10007", fieldId).ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(host.Queue.Enqueued);
    }

    [Fact]
    public async Task The_next_edit_of_an_issue_is_accepted_but_a_replay_of_the_same_edit_under_a_new_id_is_dropped()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Store.With("MED", ProjectMode.On);
        var first = Edit("MED-7", "10007", "summary", changelogId: "20001").ToJsonString();
        var second = Edit("MED-7", "10007", "description", changelogId: "20002").ToJsonString();

        foreach (var (body, id) in new[] { (first, "a"), (second, "b"), (first, "c") })
        {
            using var response = await host.PostSignedAsync(body, id);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(["a", "b"], host.Queue.Enqueued.Select(m => m.MessageId));
    }

    [Fact]
    public async Task An_edit_whose_project_settings_cannot_be_read_is_answered_503_so_Jira_retries_it()
    {
        await using var host = await IngressTestHost.StartAsync();
        host.Store.With("MED", ProjectMode.On);
        host.Store.Unreadable = true;

        using var failed = await host.PostSignedAsync(Edit("MED-7", "10007", "summary").ToJsonString(), "edit-1");
        host.Store.Unreadable = false;
        using var retried = await host.PostSignedAsync(Edit("MED-7", "10007", "summary").ToJsonString(), "edit-1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.True(failed.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(["edit-1"], host.Queue.Enqueued.Select(m => m.MessageId));
    }

    private static JsonObject Edit(string key, string id, string fieldId, string changelogId = "10400")
    {
        var body = WebhookBodies.IssueCreated(key, id, summary: $"Insulin {Canary}", description: $"Dose {Canary}");
        body["webhookEvent"] = "jira:issue_updated";
        body["issue_event_type_name"] = "issue_updated";
        body["changelog"] = new JsonObject
        {
            ["id"] = changelogId,
            ["items"] = new JsonArray(new JsonObject
            {
                ["field"] = fieldId,
                ["fieldtype"] = "jira",
                ["fieldId"] = fieldId,
                ["from"] = null,
                ["fromString"] = $"before {Canary}",
                ["to"] = null,
                ["toString"] = $"after {Canary}",
            }),
        };
        return body;
    }
}
