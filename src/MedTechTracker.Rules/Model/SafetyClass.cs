namespace MedTechTracker.Rules.Model;

/// <summary>IEC 62304 software safety class of a project.</summary>
public enum SafetyClass
{
    A,
    B,
    C,
}
