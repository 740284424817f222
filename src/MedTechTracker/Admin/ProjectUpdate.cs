namespace MedTechTracker.Admin;

/// <summary>
/// Body of <c>PUT /admin/api/projects/{key}</c>: mode Off/Shadow/On, safety class A/B/C, and whether edits re-plan the
/// issue (<c>onUpdate</c>; absent keeps the current choice, which is on for a project never configured).
/// </summary>
public sealed record ProjectUpdate(string? Mode, string? SafetyClass, bool? OnUpdate = null);
