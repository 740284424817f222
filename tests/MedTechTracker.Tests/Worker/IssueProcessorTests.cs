using System.Diagnostics;
using MedTechTracker.Jira;
using MedTechTracker.Queue;
using MedTechTracker.Shadow;
using MedTechTracker.Rules.Model;
using MedTechTracker.Storage;
using MedTechTracker.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using MedTechTracker.Tests.Rules;

namespace MedTechTracker.Tests.Worker;

public sealed class IssueProcessorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly InMemorySettingsStore _settings = new();
    private readonly FakeJiraClient _jira = new();
    private readonly FakeIssueProperties _properties = new();
    private readonly ShadowReport _shadow = new(Options.Create(new ShadowOptions()), TimeProvider.System);
    private readonly IssueProcessor _processor;

    public IssueProcessorTests()
    {
        _processor = new IssueProcessor(_settings, _jira, new FiredRulesLedger(_properties), TestRules.CreateWorkerRulesProvider(_dir.Path), _shadow, new ParentWriteLocks(), new MedTechTracker.Worker.BulkCreateBatcher(_jira, Microsoft.Extensions.Options.Options.Create(new MedTechTracker.Worker.WorkerOptions()), TimeProvider.System, NullLogger<MedTechTracker.Worker.BulkCreateBatcher>.Instance), TimeProvider.System, NullLogger<IssueProcessor>.Instance);
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Unknown_project_is_completed_without_reading_the_issue()
    {
        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, outcome.Disposition);
        Assert.Equal(0, _jira.IssueReads);
        Assert.Empty(_jira.CreateCalls);
    }

    [Fact]
    public async Task Off_project_is_completed_without_reading_the_issue()
    {
        _settings.With("MED", ProjectMode.Off);

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, outcome.Disposition);
        Assert.Equal(0, _jira.IssueReads);
    }

    [Fact]
    public async Task Issue_gone_from_Jira_is_completed()
    {
        _settings.With("MED", ProjectMode.On);

        var outcome = await _processor.ProcessAsync(Reference("MED-404"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, outcome.Disposition);
        Assert.Equal("gone", outcome.Result);
        Assert.Empty(_jira.CreateCalls);
    }

    [Fact]
    public async Task Shadow_project_plans_but_creates_nothing()
    {
        _settings.With("MED", ProjectMode.Shadow);

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, outcome.Disposition);
        Assert.Equal("shadow", outcome.Result);
        Assert.Equal(1, _jira.IssueReads);
        Assert.Empty(_jira.CreateCalls);
    }

    [Fact]
    public async Task A_Shadow_decision_lands_in_the_shadow_report_with_rules_and_the_subtasks_it_would_create()
    {
        _settings.With("MED", ProjectMode.Shadow);

        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        var report = _shadow.Get("MED");
        Assert.NotNull(report);
        var decision = Assert.Single(report.Recent);
        Assert.Equal("MED-1", decision.IssueKey);
        Assert.Equal(["cybersecurity", "risk-analysis"], decision.RulesFired.Order());
        Assert.Equal(["cybersecurity", "risk-analysis"], decision.WouldCreate.Select(s => s.RuleId).Order());
        Assert.All(decision.WouldCreate, s => Assert.StartsWith("Compliance: ", s.Summary, StringComparison.Ordinal));
        Assert.Equal(2, report.SubtasksWouldCreate);
    }

    [Fact]
    public async Task An_On_project_leaves_the_shadow_report_empty()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.SubtaskTypes["MED"] = "10042";

        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Null(_shadow.Get("MED"));
    }

    [Fact]
    public async Task On_project_creates_one_subtask_per_matched_rule_under_the_parent()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.SubtaskTypes["MED"] = "10042";

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, outcome.Disposition);
        Assert.Equal(2, outcome.Created);
        var call = Assert.Single(_jira.CreateCalls);
        Assert.Equal(["cybersecurity", "risk-analysis"], call.Select(i => i.Subtask.RuleId).Order());
        Assert.All(call, item =>
        {
            Assert.Equal("MED-1", item.ParentKey);
            Assert.Equal("MED", item.ProjectKey);
            Assert.Equal("10042", item.IssueTypeId);
            Assert.Contains($"mtc-{item.Subtask.RuleId}", item.Subtask.Labels);
        });
    }

    [Fact]
    public async Task Subtasks_already_under_the_parent_are_not_created_again()
    {
        _settings.With("MED", ProjectMode.On);
        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        var second = await _processor.ProcessAsync(Reference("MED-1", "webhook-2"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, second.Disposition);
        Assert.Single(_jira.CreateCalls);
        Assert.Equal(2, _jira.Issue("MED-1").ExistingSubtaskSummaries.Count);
    }

    [Fact]
    public async Task Safety_class_of_the_project_decides_which_rules_apply()
    {
        _jira.WithIssue(Issue("MED-2", "Alarm volume"));
        _settings.With("MED", ProjectMode.On, SafetyClass.A);

        var outcome = await _processor.ProcessAsync(Reference("MED-2"), 1, CancellationToken.None);

        Assert.Equal("no_match", outcome.Result);
        Assert.Empty(_jira.CreateCalls);
    }

    [Fact]
    public async Task Project_without_subtask_type_is_refused_as_a_whole_instead_of_dead_lettering_each_issue()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.SubtaskTypes["MED"] = null;

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Complete, outcome.Disposition);
        Assert.Equal("project_refused", outcome.Result);
        Assert.Empty(_jira.CreateCalls);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("parent")]
    public async Task A_create_screen_without_summary_or_parent_refuses_the_project(string missing)
    {
        _settings.With("MED", ProjectMode.On);
        _jira.ScreenFields["MED"] = new HashSet<string>(new[] { "summary", "parent", "description", "labels" }.Where(f => f != missing));

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal("project_refused", outcome.Result);
        Assert.Empty(_jira.CreateCalls);
    }

    [Fact]
    public async Task A_screen_without_labels_and_description_creates_with_summary_only()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.ScreenFields["MED"] = new HashSet<string> { "summary", "parent" };

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal("created", outcome.Result);
        Assert.All(_jira.CreateCalls.SelectMany(c => c), item => Assert.False(item.WithLabels || item.WithDescription));
    }

    [Fact]
    public async Task A_404_in_a_project_the_bot_cannot_see_is_dead_lettered_with_that_reason_and_a_404_elsewhere_means_gone()
    {
        _settings.With("MED", ProjectMode.On);
        _settings.With("HID", ProjectMode.On);
        _jira.HiddenProjects.Add("HID");

        var hidden = await _processor.ProcessAsync(Reference("HID-1"), 1, CancellationToken.None);
        var gone = await _processor.ProcessAsync(Reference("MED-404"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.DeadLetter, hidden.Disposition);
        Assert.StartsWith("HID-1: not visible to the bot", hidden.Reason, StringComparison.Ordinal);
        Assert.Equal("gone", gone.Result);
    }

    [Fact]
    public async Task Permanently_refused_subtask_is_dead_lettered_with_Jiras_error_and_never_the_issue_text()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.FailItem = item => item.Subtask.RuleId == "cybersecurity"
            ? new FailedSubtask(item, 400, "labels: Labels cannot contain spaces.", Permanent: true)
            : null;

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.DeadLetter, outcome.Disposition);
        Assert.Equal(1, outcome.Created);
        Assert.Contains("MED-1", outcome.Reason);
        Assert.Contains("rule cybersecurity: HTTP 400 labels: Labels cannot contain spaces.", outcome.Reason);
        Assert.DoesNotContain("Infusion", outcome.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Transiently_failed_subtask_is_abandoned_and_only_it_is_retried()
    {
        _settings.With("MED", ProjectMode.On);
        var failing = true;
        _jira.FailItem = item => failing && item.Subtask.RuleId == "risk-analysis"
            ? new FailedSubtask(item, 503, "Service unavailable", Permanent: false)
            : null;

        var first = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);
        failing = false;
        var second = await _processor.ProcessAsync(Reference("MED-1"), 2, CancellationToken.None);

        Assert.Equal(MessageDisposition.Abandon, first.Disposition);
        Assert.Equal(MessageDisposition.Complete, second.Disposition);
        var retried = _jira.CreateCalls.Last();
        Assert.Equal("risk-analysis", Assert.Single(retried).Subtask.RuleId);
    }

    [Fact]
    public async Task Transient_Jira_error_abandons_and_permanent_one_dead_letters()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.BeforeGetIssue = (_, _) => throw new JiraException("GET issue MED-1 failed: HTTP 503", 503, permanent: false);
        var transient = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        _jira.BeforeGetIssue = (_, _) => throw new JiraException("GET issue MED-1 failed: HTTP 403 You do not have permission", 403, permanent: true);
        var permanent = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        _jira.BeforeGetIssue = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        var network = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Abandon, transient.Disposition);
        Assert.Equal(MessageDisposition.DeadLetter, permanent.Disposition);
        Assert.Contains("HTTP 403 You do not have permission", permanent.Reason);
        Assert.Equal(MessageDisposition.Abandon, network.Disposition);
    }

    [Fact]
    public async Task Unknown_exception_is_retried_and_its_message_is_not_repeated()
    {
        _settings.With("MED", ProjectMode.On);
        _jira.BeforeGetIssue = (_, _) => throw new InvalidOperationException("Infusion rate hazard when the password expires");

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(MessageDisposition.Abandon, outcome.Disposition);
        Assert.Equal("MED-1: InvalidOperationException while processing", outcome.Reason);
    }

    [Fact]
    public async Task Worker_span_continues_the_webhook_trace_and_carries_keys_not_text()
    {
        _settings.With("MED", ProjectMode.On);
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Telemetry.TrackerTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await _processor.ProcessAsync(Reference("MED-1") with { TraceParent = $"00-{traceId}-{parentSpan}-01" }, 1, CancellationToken.None);

        var span = Assert.Single(spans, s => s.OperationName == "worker.process" && s.TraceId == traceId);
        Assert.Equal(parentSpan, span.ParentSpanId);
        Assert.Equal("MED-1", span.GetTagItem("issue.key"));
        Assert.Equal("MED", span.GetTagItem("project.key"));
        Assert.Equal(2, span.GetTagItem("mtc.rules.count"));
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains("hazard", StringComparison.OrdinalIgnoreCase) == true);
    }

    internal static IssueSnapshot Issue(string key, string summary) => new()
    {
        Key = key,
        Id = "1" + key.Split('-')[1],
        ProjectKey = key.Split('-')[0],
        IssueType = "Story",
        Summary = summary,
        Description = "",
    };

    internal static IssueReference Reference(string key, string messageId = "webhook-1") =>
        new(messageId, "1" + key.Split('-')[1], key, key.Split('-')[0], DateTimeOffset.UnixEpoch);
}
