using System.Text.Json;

namespace MedTechTracker.Samples.JiraSimulator;

internal static class SnapshotJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
