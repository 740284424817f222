using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MedTechTracker.LoadGen;

/// <summary>Builds unique, realistic issue_created bodies (about 1.5 KB, summary and description included) and signs them like Jira.</summary>
internal sealed class WebhookFactory(string secret, string projectKey)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private long _sequence;

    public HttpRequestMessage Create(Uri url)
    {
        var n = Interlocked.Increment(ref _sequence);
        var id = (100000 + n).ToString(CultureInfo.InvariantCulture);
        var key = $"{projectKey}-{n}";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = Encoding.UTF8.GetBytes($$"""
            {"timestamp":{{timestamp}},"webhookEvent":"jira:issue_created","issue_event_type_name":"issue_created",
            "user":{"self":"https://example.atlassian.net/rest/api/2/user?accountId=557058:load","accountId":"557058:load","displayName":"Load Generator","active":true,"timeZone":"Europe/Berlin"},
            "issue":{"id":"{{id}}","self":"https://example.atlassian.net/rest/api/2/issue/{{id}}","key":"{{key}}",
            "fields":{"summary":"Insulin pump: bolus dose calculation must reject out-of-range glucose readings",
            "description":"As a patient I want the pump to refuse a bolus when the CGM reading is stale or out of range. The dose algorithm runs on the main MCU; the alarm path must be independent. Risk: over-delivery leading to hypoglycaemia. Touches firmware, the BLE protocol and the mobile app's dose confirmation screen.",
            "issuetype":{"self":"https://example.atlassian.net/rest/api/2/issuetype/10001","id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
            "project":{"self":"https://example.atlassian.net/rest/api/2/project/10000","id":"10000","key":"{{projectKey}}","name":"Load test","projectTypeKey":"software"},
            "priority":{"id":"3","name":"Medium"},"labels":["firmware","dose"],"status":{"id":"10000","name":"To Do"},
            "reporter":{"accountId":"557058:load","displayName":"Load Generator"},"created":"2026-11-22T10:00:00.000+0000","subtasks":[]} } }
            """);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = new Version(1, 1) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=UTF-8");
        request.Headers.TryAddWithoutValidation("X-Hub-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, body)));
        request.Headers.TryAddWithoutValidation("X-Atlassian-Webhook-Identifier", $"loadgen-{_run}-{n}");
        return request;
    }
}
