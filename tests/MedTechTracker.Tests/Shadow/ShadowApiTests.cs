using MedTechTracker.Admin;
using MedTechTracker.Hosting;
using MedTechTracker.Rules.Model;
using MedTechTracker.Shadow;
using MedTechTracker.Storage;
using MedTechTracker.Tests.Backfill;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Tests.Shadow;

/// <summary>The <c>GET /admin/api/projects/{key}/shadow</c> handler called directly.</summary>
public sealed class ShadowApiTests
{
    private readonly InMemorySettingsStore _settings = new();
    private readonly ShadowReport _shadow = new(Options.Create(new ShadowOptions()), TimeProvider.System);

    [Fact]
    public async Task An_ingress_only_process_answers_an_empty_report_that_says_it_runs_no_worker()
    {
        await _settings.SaveAsync(new ProjectSettings("MED", ProjectMode.Shadow, SafetyClass.C, DateTimeOffset.UtcNow, "test"), CancellationToken.None);

        var result = await AdminApi.GetShadow("MED", _settings, _shadow, new ServiceRoleMarker(ServiceRole.Ingress), CancellationToken.None);

        var view = Assert.IsType<Ok<ShadowView>>(result.Result).Value!;
        Assert.False(view.WorkerInProcess);
        Assert.Equal(ShadowView.NoWorkerNote, view.Note);
        Assert.Equal(0, view.IssuesEvaluated);
    }

    [Fact]
    public async Task A_serving_process_has_no_note()
    {
        await _settings.SaveAsync(new ProjectSettings("MED", ProjectMode.Shadow, SafetyClass.C, DateTimeOffset.UtcNow, "test"), CancellationToken.None);

        var result = await AdminApi.GetShadow("MED", _settings, _shadow, new ServiceRoleMarker(ServiceRole.Serve), CancellationToken.None);

        var view = Assert.IsType<Ok<ShadowView>>(result.Result).Value!;
        Assert.True(view.WorkerInProcess);
        Assert.Null(view.Note);
    }

    [Fact]
    public async Task A_project_switched_On_after_Shadow_still_shows_what_was_decided_in_Shadow()
    {
        await _settings.SaveAsync(new ProjectSettings("MED", ProjectMode.On, SafetyClass.C, DateTimeOffset.UtcNow, "test"), CancellationToken.None);
        _shadow.Record("MED", new MedTechTracker.Rules.Planning.IssuePlan("MED-1", SafetyClass.C, [], [], []));

        var result = await AdminApi.GetShadow("MED", _settings, _shadow, new ServiceRoleMarker(ServiceRole.Serve), CancellationToken.None);

        var view = Assert.IsType<Ok<ShadowView>>(result.Result).Value!;
        Assert.Equal("On", view.Mode);
        Assert.Equal("MED-1", Assert.Single(view.Recent).IssueKey);
    }
}
