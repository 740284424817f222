using MedTechTracker.Storage;

namespace MedTechTracker.Tests.Storage;

public sealed class ProjectKeyTests
{
    [Theory]
    [InlineData("MED")]
    [InlineData("IEC_62304")]
    [InlineData("AB")]
    public void Jira_project_keys_are_valid(string key) => Assert.True(ProjectKey.IsValid(key));

    [Theory]
    [InlineData("NEWP\n")]
    [InlineData("OTHER\n")]
    [InlineData(" MED")]
    [InlineData("MED ")]
    [InlineData("med")]
    [InlineData("M")]
    [InlineData("1MED")]
    [InlineData("MED-1")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_a_project_key_not_even_with_a_trailing_newline(string? key) => Assert.False(ProjectKey.IsValid(key));

    [Theory]
    [InlineData("MED-1", true)]
    [InlineData("IEC_62304-123456789012345678", true)]
    [InlineData("MED-1\n", false)]
    [InlineData("MED-01", false)]
    [InlineData("MED-", false)]
    [InlineData("med-1", false)]
    [InlineData("MED-1-2", false)]
    [InlineData("MED-1234567890123456789", false)]
    [InlineData("-1", false)]
    public void Issue_keys_are_a_project_key_a_dash_and_a_number(string key, bool valid) => Assert.Equal(valid, ProjectKey.IsValidIssueKey(key));
}
