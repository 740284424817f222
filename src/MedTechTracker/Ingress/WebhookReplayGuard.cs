using Microsoft.Extensions.Options;

namespace MedTechTracker.Ingress;

/// <summary>
/// Remembers which (event, issue id) pairs were accepted within the freshness window, whatever their webhook id,
/// so a signed body replayed with a new <c>X-Atlassian-Webhook-Identifier</c> is dropped before it costs a Jira
/// read. Bounded: at most <see cref="WebhookOptions.ReplayMemory"/> entries, the oldest forgotten first (entries
/// are added in time order, so the oldest is also the first to expire). Per process: with several ingress
/// replicas a replay that reaches another replica passes here, and the queue's duplicate detection and the
/// worker's existing-sub-task check are what stop it creating anything.
/// </summary>
public sealed class WebhookReplayGuard(IOptions<WebhookOptions> options, TimeProvider time)
{
    private readonly WebhookOptions _options = options.Value;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset Expires)> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Claims the pair; false when it was already accepted within the window (a replay or a retry).</summary>
    public bool TryClaim(string eventName, string issueId)
    {
        var key = eventName + "\n" + issueId;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Forget(now);
            if (_seen.TryGetValue(key, out var expires) && expires > now)
            {
                return false;
            }

            var until = now + _options.FreshnessWindow + _options.MaxClockSkew;
            _seen[key] = until;
            _order.Enqueue((key, until));
            return true;
        }
    }

    /// <summary>Gives a claim back (the message could not be stored, so Jira's retry must get through).</summary>
    public void Release(string eventName, string issueId)
    {
        lock (_lock)
        {
            _seen.Remove(eventName + "\n" + issueId);
        }
    }

    private void Forget(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (oldest.Expires <= now || _order.Count >= _options.ReplayMemory))
        {
            _order.Dequeue();
            if (_seen.TryGetValue(oldest.Key, out var expires) && expires == oldest.Expires)
            {
                _seen.Remove(oldest.Key);
            }
        }
    }
}
