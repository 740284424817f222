using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MedTechTracker.Jira;

/// <summary>Source-generated JSON metadata for the request bodies Refit sends (Refit 16's generated client path).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JiraSearchRequest))]
[JsonSerializable(typeof(JiraCountRequest))]
internal sealed partial class JiraJsonContext : JsonSerializerContext;
