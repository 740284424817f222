using System.Text.Json;
using MedTechTracker.Admin;
using MedTechTracker.Jira;
using MedTechTracker.Tests.Rules;
using MedTechTracker.Tests.Worker;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MedTechTracker.Tests.Admin;

public sealed class AdminExplainTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_issue_jira_returns_nested_too_deep_is_a_clear_422_not_a_jira_outage()
    {
        var jira = new FakeJiraClient
        {
            BeforeGetIssue = (key, _) => throw new JiraException($"Jira GET issue {key} returned a document that cannot be processed: the JSON is nested deeper than 1000 levels.", 200, permanent: true, new JsonException("depth")),
        };
        using var rules = TestRules.CreateWorkerRulesProvider(_dir.Path);

        var result = await AdminApi.Explain(new ExplainRequest("MED-1"), jira, new InMemorySettingsStore(), rules, CancellationToken.None);

        var problem = Assert.IsType<ProblemHttpResult>(result.Result);
        Assert.Equal(422, problem.StatusCode);
        Assert.Contains("nested deeper than 1000 levels", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MED-1\n")]
    [InlineData(" MED-1")]
    [InlineData("MED")]
    public async Task An_issue_key_that_is_not_exactly_a_key_is_400(string key)
    {
        using var rules = TestRules.CreateWorkerRulesProvider(_dir.Path);

        var result = await AdminApi.Explain(new ExplainRequest(key), new FakeJiraClient(), new InMemorySettingsStore(), rules, CancellationToken.None);

        Assert.Equal(400, Assert.IsType<ProblemHttpResult>(result.Result).StatusCode);
    }
}
