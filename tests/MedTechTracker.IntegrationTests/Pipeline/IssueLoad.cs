using MedTechTracker.Samples.JiraSimulator;

namespace MedTechTracker.IntegrationTests.Pipeline;

/// <summary>Many issues in the simulated Jira, each with the sub-task summaries the test rules must create for it.</summary>
internal static class IssueLoad
{
    private static readonly (string Summary, string Description)[] Texts =
    [
        ("Alarm volume", "New hazard when the alarm is muted."),
        ("Password policy", "Require a longer password."),
        ("Alarm settings page", "Hazard: user interface hides the password field."),
        ("Encryption of the log export", "Alarm history is exported."),
    ];

    public static List<(SimulatedIssue Issue, IReadOnlyList<string> Expected)> Add(SimulatedJira jira, string projectKey, int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var (summary, description) = Texts[i % Texts.Length];
            return (jira.AddIssue(projectKey, $"{summary} #{i}", description), (IReadOnlyList<string>)PipelineRules.ExpectedSummaries($"{summary} #{i}", description));
        }).ToList();
}
