namespace MedTechTracker.Admin;

/// <summary>Body of <c>PUT /admin/api/projects/{key}</c>: mode Off/Shadow/On, safety class A/B/C.</summary>
public sealed record ProjectUpdate(string? Mode, string? SafetyClass);
