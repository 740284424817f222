using System.Text;
using System.Text.Json.Nodes;
using MedTechTracker.IntegrationTests.Backfill;
using MedTechTracker.IntegrationTests.Pipeline;
using MedTechTracker.Rules;
using MedTechTracker.Rules.Model;
using MedTechTracker.Rules.Planning;
using MedTechTracker.Samples.JiraSimulator;
using MedTechTracker.Shadow;
using Microsoft.Extensions.DependencyInjection;

namespace MedTechTracker.IntegrationTests.Admin;

/// <summary>Signed <c>jira:issue_created</c> webhooks for the stub's issues, sent to a running <see cref="AdminHost"/>, and what the rules say about them.</summary>
internal static class ShadowTraffic
{
    public const string WebhookSecret = "integration-test-webhook-secret";

    public static async Task SendAsync(AdminHost host, IEnumerable<StubIssue> issues)
    {
        using var http = host.Client();
        foreach (var issue in issues)
        {
            var body = new JsonObject
            {
                ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                ["webhookEvent"] = "jira:issue_created",
                ["user"] = new JsonObject { ["accountId"] = "a-human" },
                ["issue"] = new JsonObject
                {
                    ["id"] = issue.Id,
                    ["key"] = issue.Key,
                    ["fields"] = new JsonObject
                    {
                        ["summary"] = issue.Summary,
                        ["issuetype"] = new JsonObject { ["name"] = issue.IssueType, ["subtask"] = false },
                        ["project"] = new JsonObject { ["key"] = issue.Project },
                    },
                },
            };
            using var response = await WebhookSender.SendAsync(http, new Uri("/webhooks/jira", UriKind.Relative), Encoding.UTF8.GetBytes(body.ToJsonString()), WebhookSecret, $"wh-{Guid.NewGuid():N}", CancellationToken.None);
            Assert.Equal(202, (int)response.StatusCode);
        }
    }

    /// <summary>Waits until the worker has recorded <paramref name="count"/> Shadow decisions for the project.</summary>
    public static Task WaitForDecisionsAsync(AdminHost host, string project, int count) =>
        Poll.UntilAsync(() => host.Services.GetRequiredService<ShadowReport>().Get(project)?.IssuesEvaluated >= count, $"{count} Shadow decisions in {project}");

    /// <summary>The plan the service's own rules give for a stub issue in a class C project.</summary>
    public static IssuePlan PlanFor(AdminHost host, StubIssue issue) => Planner.Plan(
        host.Services.GetRequiredService<RulesProvider>().Current,
        new IssueSnapshot { Key = issue.Key, ProjectKey = issue.Project, Summary = issue.Summary, Description = issue.Description, IssueType = issue.IssueType },
        SafetyClass.C);
}
