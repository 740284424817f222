namespace MedTechTracker.IntegrationTests.Jira;

internal static class JiraSamples
{
    public const string IssueWithAdf = """
        {"id":"10042","key":"MED-7","self":"https://example.atlassian.net/rest/api/3/issue/10042",
         "fields":{
           "summary":"Add insulin dose calculator",
           "description":{"type":"doc","version":1,"content":[
             {"type":"paragraph","content":[{"type":"text","text":"The pump computes a bolus from carbs."}]},
             {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"alarm limits"}]}]}]}]},
           "issuetype":{"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
           "project":{"id":"10000","key":"MED","name":"Medical"},
           "subtasks":[{"id":"10050","key":"MED-8","fields":{"summary":"Compliance: Risk analysis (ISO 14971 5)","status":{"name":"To Do"},"issuetype":{"id":"10009","name":"Subtask","subtask":true}}}]}}
        """;
}
