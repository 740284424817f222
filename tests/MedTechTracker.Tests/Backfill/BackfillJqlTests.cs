using MedTechTracker.Backfill;

namespace MedTechTracker.Tests.Backfill;

public sealed class BackfillJqlTests
{
    [Fact]
    public void The_default_query_walks_the_projects_non_subtask_issues_oldest_first() =>
        Assert.Equal("project = MED AND issuetype not in subTaskIssueTypes() ORDER BY created ASC", BackfillJql.Build("MED", null, null));

    [Fact]
    public void Created_after_and_the_users_filter_are_ANDed_and_the_filter_parenthesised() =>
        Assert.Equal(
            "project = MED AND issuetype not in subTaskIssueTypes() AND created >= \"2024-05-01 13:30\" AND (x = 1 OR project = OTHER) ORDER BY created ASC",
            BackfillJql.Build("MED", new DateTimeOffset(2024, 5, 1, 15, 30, 0, TimeSpan.FromHours(2)), "x = 1 OR project = OTHER"));

    [Theory]
    [InlineData("x = 1) OR (project = OTHER")]
    [InlineData("x = 1) OR project = OTHER OR (x = 2")]
    [InlineData("(x = 1")]
    [InlineData("summary ~ \"unterminated")]
    [InlineData("x = 1 ORDER BY key")]
    [InlineData("x = 1 order   by created DESC")]
    [InlineData("x = 1 \\) OR project = OTHER")]
    public void A_filter_that_could_escape_its_parentheses_or_reorder_the_walk_is_refused(string jql)
    {
        Assert.NotNull(BackfillJql.ValidateUserJql(jql));
        Assert.Throws<ArgumentException>(() => BackfillJql.Build("MED", null, jql));
    }

    [Theory]
    [InlineData("summary ~ \"a ) b\"")]
    [InlineData("labels in ('x(', \"order by\")")]
    [InlineData("(status = Done OR status = \"In \\\"Review\\\"\") AND priority = High")]
    public void Parentheses_and_keywords_inside_quotes_are_just_text(string jql) => Assert.Null(BackfillJql.ValidateUserJql(jql));

    [Theory]
    [InlineData("med")]
    [InlineData("MED OR project = OTHER")]
    [InlineData("MED)")]
    [InlineData("")]
    [InlineData("1MED")]
    public void Project_keys_are_validated_strictly(string key) => Assert.NotNull(BackfillJql.ValidateProjectKey(key));

    [Fact]
    public void A_cursor_keeps_the_restart_anchor_with_Jiras_token()
    {
        var anchor = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var stored = new BackfillCursor(anchor, "tok:en").ToStored();

        Assert.Equal(new BackfillCursor(anchor, "tok:en"), BackfillCursor.Parse(stored));
        Assert.Equal(new BackfillCursor(null, "plain"), BackfillCursor.Parse("plain"));
    }
}
