using System.Text;
using MedTechTracker.Ingress;

namespace MedTechTracker.Tests.Ingress;

/// <summary><c>jira:issue_updated</c> bodies in the shape Jira Cloud sends them: the routing fields plus a changelog.</summary>
public sealed class UpdatedWebhookReaderTests
{
    private const string Issue = """
        "issue":{"id":"10042","self":"https://x.atlassian.net/rest/api/2/issue/10042","key":"MED-42",
          "fields":{"summary":"Dose calculation","description":"now with SOUP",
           "issuetype":{"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
           "project":{"id":"10000","key":"MED","name":"Pump"},"labels":["a"],"status":{"name":"In Progress"}}}
        """;

    private static WebhookPayload Updated(string items, string type = "issue_updated", string changelogId = "\"10400\"") => Read($$$"""
        {"timestamp":1763800000000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"{{{type}}}",
         "user":{"accountId":"557058:ada","displayName":"Ada"},
         {{{Issue}}},
         "changelog":{"id":{{{changelogId}}},"items":[{{{items}}}]}}
        """);

    private static WebhookPayload Read(string json) => WebhookPayloadReader.Read(Encoding.UTF8.GetBytes(json));

    private static string Item(string field, string? fieldId, string fieldtype = "jira") =>
        $$"""{"field":"{{field}}","fieldtype":"{{fieldtype}}"{{(fieldId is null ? "" : $",\"fieldId\":\"{fieldId}\"")}},"from":null,"fromString":"old text","to":null,"toString":"new text"}""";

    [Theory]
    [InlineData("summary")]
    [InlineData("description")]
    [InlineData("issuetype")]
    public void An_edit_of_a_field_a_rule_reads_is_a_relevant_update_with_its_routing_fields(string fieldId)
    {
        var payload = Updated(Item(fieldId, fieldId));

        Assert.Null(payload.Error);
        Assert.True(payload.IsIssueUpdated);
        Assert.True(payload.IsRelevantUpdate);
        Assert.Equal(("10042", "MED-42", "MED", "557058:ada", "10400"), (payload.IssueId, payload.IssueKey, payload.ProjectKey, payload.UserAccountId, payload.ChangelogId));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("labels")]
    [InlineData("assignee")]
    [InlineData("Sprint")]
    [InlineData("priority")]
    public void An_edit_of_any_other_field_is_not_relevant(string fieldId)
    {
        var payload = Updated(Item(fieldId, fieldId));

        Assert.Null(payload.Error);
        Assert.True(payload.IsIssueUpdated);
        Assert.False(payload.IsRelevantUpdate);
    }

    [Fact]
    public void A_status_change_next_to_a_summary_edit_is_relevant()
    {
        Assert.True(Updated(Item("status", "status") + "," + Item("summary", "summary")).IsRelevantUpdate);
    }

    [Fact]
    public void Without_a_fieldId_the_field_name_decides()
    {
        Assert.True(Updated(Item("summary", null)).IsRelevantUpdate);
        Assert.False(Updated(Item("resolution", null)).IsRelevantUpdate);
    }

    [Fact]
    public void A_custom_field_named_like_a_system_field_is_not_relevant()
    {
        Assert.False(Updated(Item("Summary", "customfield_10050", "custom")).IsRelevantUpdate);
        Assert.False(Updated(Item("Description", null, "custom")).IsRelevantUpdate);
    }

    [Fact]
    public void A_move_to_another_project_is_relevant()
    {
        Assert.True(Updated(Item("project", "project") + "," + Item("Key", null), type: "issue_moved").IsRelevantUpdate);
        Assert.True(Updated(Item("Key", null), type: "issue_generic").IsRelevantUpdate);
    }

    [Theory]
    [InlineData("issue_updated", true)]
    [InlineData("issue_generic", true)]
    [InlineData("issue_commented", false)]
    [InlineData("issue_worklog_updated", false)]
    [InlineData("issue_assigned", false)]
    public void Only_edit_event_types_count(string type, bool relevant)
    {
        Assert.Equal(relevant, Updated(Item("summary", "summary"), type).IsRelevantUpdate);
    }

    [Fact]
    public void A_numeric_changelog_id_is_read()
    {
        Assert.Equal("10400", Updated(Item("summary", "summary"), changelogId: "10400").ChangelogId);
    }

    [Fact]
    public void An_update_without_a_changelog_is_not_relevant_and_not_an_error()
    {
        var payload = Read($$"""{"timestamp":1763800000000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_updated",{{Issue}}}""");

        Assert.Null(payload.Error);
        Assert.False(payload.IsRelevantUpdate);
    }

    [Fact]
    public void A_relevant_update_without_an_issue_key_is_refused()
    {
        var payload = Updated(Item("summary", "summary"));
        var broken = Read($$$"""
            {"timestamp":1763800000000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_updated",
             "issue":{"id":"10042","fields":{"project":{"key":"MED"} } },
             "changelog":{"id":"1","items":[{{{Item("summary", "summary")}}}]}}
            """);

        Assert.Null(payload.Error);
        Assert.Equal("issue.key is missing.", broken.Error);
    }
}
