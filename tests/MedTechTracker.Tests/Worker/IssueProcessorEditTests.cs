using System.Text.Json.Nodes;
using MedTechTracker.Rules.Model;
using MedTechTracker.Shadow;
using MedTechTracker.Storage;
using MedTechTracker.Tests.Rules;
using MedTechTracker.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static MedTechTracker.Tests.Worker.IssueProcessorTests;

namespace MedTechTracker.Tests.Worker;

/// <summary>What the worker does when an issue is planned again after an edit, and the record of the rules that fired.</summary>
public sealed class IssueProcessorEditTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly InMemorySettingsStore _settings = new();
    private readonly FakeJiraClient _jira = new();
    private readonly FakeIssueProperties _properties = new();
    private readonly IssueProcessor _processor;

    public IssueProcessorEditTests()
    {
        _processor = new IssueProcessor(
            _settings, _jira, new FiredRulesLedger(_properties), TestRules.CreateWorkerRulesProvider(_dir.Path),
            new ShadowReport(Options.Create(new ShadowOptions()), TimeProvider.System), new MedTechTracker.Jira.ParentWriteLocks(), new MedTechTracker.Worker.BulkCreateBatcher(_jira, Microsoft.Extensions.Options.Options.Create(new MedTechTracker.Worker.WorkerOptions()), TimeProvider.System, NullLogger<MedTechTracker.Worker.BulkCreateBatcher>.Instance), TimeProvider.System, NullLogger<IssueProcessor>.Instance);
        _settings.With("MED", ProjectMode.On);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Creating_subtasks_records_their_rule_ids_and_nothing_else_on_the_parent()
    {
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));

        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        var record = _properties.Value("MED-1", FiredRulesLedger.PropertyKey)!;
        Assert.Equal("""{"version":1,"firedRules":["cybersecurity","risk-analysis"]}""", record.ToJsonString());
    }

    [Fact]
    public async Task An_edit_that_makes_another_rule_fire_creates_only_its_subtask_and_adds_it_to_the_record()
    {
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard"));
        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);
        _jira.WithIssue(_jira.Issue("MED-1") with { Summary = "Infusion rate hazard when the password expires" });

        var outcome = await _processor.ProcessAsync(Reference("MED-1", "edit-1"), 1, CancellationToken.None);

        Assert.Equal(("created", 1), (outcome.Result, outcome.Created));
        Assert.Equal(["risk-analysis", "cybersecurity"], _jira.CreateCalls.Select(c => Assert.Single(c).Subtask.RuleId));
        Assert.Equal(["cybersecurity", "risk-analysis"], FiredRules("MED-1"));
    }

    [Fact]
    public async Task A_subtask_a_person_deleted_is_not_recreated_by_a_later_edit()
    {
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));
        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);
        var existing = _jira.Issue("MED-1").ExistingSubtaskSummaries;
        _jira.WithIssue(_jira.Issue("MED-1") with
        {
            Summary = "Infusion rate hazard when the password expires (edited)",
            ExistingSubtaskSummaries = [.. existing.Where(s => !s.Contains("security", StringComparison.Ordinal))],
        });

        var outcome = await _processor.ProcessAsync(Reference("MED-1", "edit-1"), 1, CancellationToken.None);

        Assert.Equal("deleted_on_purpose", outcome.Result);
        Assert.Single(_jira.CreateCalls);
    }

    [Fact]
    public async Task A_record_of_other_rules_does_not_hold_back_the_missing_subtasks_and_malformed_entries_are_dropped()
    {
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));
        await _properties.SetIssuePropertyAsync("MED-1", FiredRulesLedger.PropertyKey, new JsonObject { ["version"] = 1, ["firedRules"] = new JsonArray("usability", "NOT A RULE ID", 42) }, CancellationToken.None);

        var outcome = await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(2, outcome.Created);
        Assert.Equal(["cybersecurity", "risk-analysis", "usability"], FiredRules("MED-1"));
    }

    [Fact]
    public async Task An_up_to_date_issue_costs_no_read_or_write_of_the_record()
    {
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));
        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);
        var (reads, writes) = (_properties.Reads, _properties.Writes);

        var outcome = await _processor.ProcessAsync(Reference("MED-1", "edit-1"), 1, CancellationToken.None);

        Assert.Equal("up_to_date", outcome.Result);
        Assert.Equal((reads, writes), (_properties.Reads, _properties.Writes));
    }

    [Fact]
    public async Task Subtasks_of_rules_that_no_longer_fire_are_left_in_place()
    {
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));
        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);
        _jira.WithIssue(_jira.Issue("MED-1") with { Summary = "Routine refactoring" });

        var outcome = await _processor.ProcessAsync(Reference("MED-1", "edit-1"), 1, CancellationToken.None);

        Assert.Equal("no_match", outcome.Result);
        Assert.Equal(2, _jira.Issue("MED-1").ExistingSubtaskSummaries.Count);
        Assert.Single(_jira.CreateCalls);
    }

    [Fact]
    public async Task A_Shadow_project_never_writes_the_record()
    {
        _settings.With("MED", ProjectMode.Shadow);
        _jira.WithIssue(Issue("MED-1", "Infusion rate hazard when the password expires"));

        await _processor.ProcessAsync(Reference("MED-1"), 1, CancellationToken.None);

        Assert.Equal(0, _properties.Writes);
    }

    private string[] FiredRules(string issueKey) =>
        [.. _properties.Value(issueKey, FiredRulesLedger.PropertyKey)!["firedRules"]!.AsArray().Select(n => n!.GetValue<string>())];
}
