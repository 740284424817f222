namespace MedTechTracker.Samples.JiraSimulator;

public enum JiraOperation
{
    Myself,
    GetIssue,
    CreateMeta,
    CreateMetaFields,
    BulkCreate,
    Search,
    Count,
    Projects,
    GetProperty,
    SetProperty,
    GetProject,
}
