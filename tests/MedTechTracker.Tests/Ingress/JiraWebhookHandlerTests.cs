using MedTechTracker.Ingress;

namespace MedTechTracker.Tests.Ingress;

public sealed class JiraWebhookHandlerTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=UTF-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("application/vnd.atlassian+json", true)]
    [InlineData("application/json; charset=utf-16", false)]
    [InlineData("text/json", false)]
    [InlineData("text/plain", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("json", false)]
    public void Only_UTF_8_JSON_media_types_are_accepted(string? contentType, bool accepted)
    {
        Assert.Equal(accepted, JiraWebhookHandler.IsJson(contentType));
    }

    [Theory]
    [InlineData("b3f6a0d2-4c1e-4f7a-9a55-6e1f0b1c2d3e", true)]
    [InlineData("12345", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("caf\u00e9", false)]
    public void Webhook_identifiers_are_short_visible_ASCII(string id, bool valid)
    {
        Assert.Equal(valid, JiraWebhookHandler.IsWebhookId(id));
        Assert.False(JiraWebhookHandler.IsWebhookId(new string('a', 129)));
    }
}
