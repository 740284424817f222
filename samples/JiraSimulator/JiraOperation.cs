namespace MedTechTracker.Samples.JiraSimulator;

public enum JiraOperation
{
    Myself,
    GetIssue,
    CreateMeta,
    BulkCreate,
    Search,
    Count,
    Projects,
    GetProperty,
    SetProperty,
}
