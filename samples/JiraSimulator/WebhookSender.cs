using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace MedTechTracker.Samples.JiraSimulator;

/// <summary>Delivers a webhook the way Jira does: raw JSON body, <c>X-Hub-Signature: sha256=…</c> over its bytes, a webhook id.</summary>
public static class WebhookSender
{
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri endpoint, byte[] body, string? secret, string webhookId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
        request.Headers.Add("X-Atlassian-Webhook-Identifier", webhookId);
        request.Headers.Add("X-Atlassian-Webhook-Retry", "0");
        request.Headers.UserAgent.ParseAdd("Atlassian Webhook HTTP Client");
        if (secret is not null)
        {
            request.Headers.Add("X-Hub-Signature", Sign(body, secret));
        }

        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
