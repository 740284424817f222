using Refit;

namespace MedTechTracker.Jira;

/// <summary>
/// A Refit <see cref="IJiraApi"/> over a fresh client from <see cref="IHttpClientFactory"/> for each call, so the
/// singleton Jira client never pins one handler chain (the factory rotates handlers; the pipeline and governor are shared).
/// </summary>
public sealed class JiraApiFactory(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "jira";

    public IJiraApi Create() => RestService.ForGenerated<IJiraApi>(httpClients.CreateClient(HttpClientName), JiraJsonContext.Default);
}
