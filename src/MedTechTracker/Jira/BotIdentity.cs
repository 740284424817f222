namespace MedTechTracker.Jira;

/// <summary>
/// The bot's Jira accountId, learned once at start-up from GET /rest/api/3/myself, so that the
/// ingress can drop events the bot caused itself without calling Jira per webhook.
/// </summary>
public sealed class BotIdentity
{
    private volatile string? _accountId;

    public string? AccountId => _accountId;

    public bool IsKnown => _accountId is not null;

    public void Set(string accountId) => _accountId = accountId;

    public bool IsBot(string? accountId) => accountId is not null && string.Equals(accountId, _accountId, StringComparison.Ordinal);
}
