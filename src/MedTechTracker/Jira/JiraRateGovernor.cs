using System.Globalization;
using System.Net;
using MedTechTracker.Telemetry;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Jira;

/// <summary>
/// The process's one view of Jira's rate limits, shared by the worker, the backfill and the admin page. A 429 (or a 503
/// with <c>Retry-After</c>) closes the window until the latest of <c>Retry-After</c>, <c>X-RateLimit-Reset</c> and their
/// <c>X-Beta-</c> variants (a short back-off when none is given); no call is sent while it is closed. Concurrency adapts:
/// +1 per limit's worth of successful answers, halved on a 429 that closes the window (AIMD; the 429s of calls already in
/// flight then do not halve it again) and grown back only to nine tenths of the concurrency that drew it for 30 s before
/// probing higher, held while <c>X-RateLimit-NearLimit</c> is true,
/// and cut by a quarter on an answer slower than <see cref="JiraOptions.SlowAnswer"/> (Jira straining before it refuses).
/// A 429 for <c>jira-per-issue-on-write</c> limits one issue only: that call's retry backs off, the window stays open.
/// </summary>
public sealed partial class JiraRateGovernor(IOptions<JiraOptions> options, TimeProvider time, ILogger<JiraRateGovernor> logger)
{
    private const string PerIssueWrite = "jira-per-issue-on-write";
    private static readonly TimeSpan NoHintBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxNoHintBackoff = TimeSpan.FromMinutes(1);

    // After a closure the limit grows back to nine tenths of the concurrency that drew it, and waits there this long
    // before probing higher: probing straight back costs a closed window (nothing sent) every few seconds.
    private static readonly TimeSpan CeilingHold = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiting = new();
    private readonly int _max = options.Value.MaxConcurrency;
    private readonly TimeSpan _slow = options.Value.SlowAnswer;
    private double _limit = Math.Min(4, options.Value.MaxConcurrency);
    private int _inFlight;
    private DateTimeOffset _closedUntil;
    private string? _reason;
    private bool _nearLimit;
    private int _consecutive;
    private long _throttled;
    private double _ceiling;
    private DateTimeOffset _ceilingUntil;

    public JiraRateState State
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                return new JiraRateState(_closedUntil > now ? _closedUntil : null, _closedUntil > now ? _reason : null, (int)_limit, _inFlight, _nearLimit, _throttled);
            }
        }
    }

    /// <summary>How many calls may be in flight now (the adaptive limit, without taking the lock).</summary>
    public int Limit => (int)Volatile.Read(ref _limit);

    /// <summary>
    /// Waits for an open window and a concurrency slot. Throws <see cref="JiraRateLimitedException"/> when the window stays
    /// closed longer than <paramref name="budget"/>.
    /// </summary>
    public async ValueTask<IDisposable> EnterAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + budget;
        while (true)
        {
            LinkedListNode<TaskCompletionSource>? slot = null;
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_closedUntil > now)
                {
                    if (_closedUntil > deadline)
                    {
                        throw new JiraRateLimitedException(_closedUntil, _reason);
                    }

                    wait = _closedUntil - now;
                }
                else if (_inFlight < (int)_limit)
                {
                    _inFlight++;
                    return new Slot(this);
                }
                else
                {
                    wait = TimeSpan.Zero;
                    slot = _waiting.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                }
            }

            if (slot is null)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                // Woken when a slot frees (taken off the list then, so the next free slot wakes the next waiter) or the
                // limit grows; re-checked above. Bounded so a reopened window is seen.
                await slot.Value.Task.WaitAsync(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            finally
            {
                lock (_gate)
                {
                    if (slot.List is not null)
                    {
                        _waiting.Remove(slot);
                    }
                }
            }
        }
    }

    /// <summary>Learns from one answer of Jira, which took <paramref name="elapsed"/> (zero when unknown).</summary>
    public void Observe(HttpResponseMessage response, TimeSpan elapsed = default)
    {
        var status = (int)response.StatusCode;
        var near = string.Equals(Header(response, "X-RateLimit-NearLimit") ?? Header(response, "X-Beta-RateLimit-NearLimit"), "true", StringComparison.OrdinalIgnoreCase);
        var limited = status == 429 || (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null);
        lock (_gate)
        {
            _nearLimit = near;
            if (!limited)
            {
                _consecutive = 0;
                if (elapsed > _slow)
                {
                    _limit = Math.Max(1, _limit * 0.75);
                }
                else if (!near && Cap(time.GetUtcNow()) is var cap && _limit < cap)
                {
                    _limit = Math.Min(cap, _limit + (1 / _limit));
                    WakeWaitersWithRoom();
                }

                return;
            }

            _throttled++;
            var reason = Header(response, "RateLimit-Reason") ?? Header(response, "X-RateLimit-Reason") ?? Header(response, "X-Beta-RateLimit-Reason");
            if (string.Equals(reason, PerIssueWrite, StringComparison.OrdinalIgnoreCase))
            {
                // One issue's write limit: only that call backs off (the retry); the tenant's window stays open.
                LogPerIssue(logger, status);
                TrackerTelemetry.JiraThrottled.Add(1, new KeyValuePair<string, object?>("reason", PerIssueWrite));
                return;
            }

            var now = time.GetUtcNow();

            // Calls already in flight when the window closed come back 429 too: one closure halves the limit once.
            if (_closedUntil <= now)
            {
                // The concurrency that drew it: the calls in flight (this one included), at most the limit.
                var level = _inFlight > 0 ? Math.Min(_limit, _inFlight) : _limit;
                _ceiling = Math.Max(1, level * 0.9);
                _ceilingUntil = now + CeilingHold;
                _consecutive++;
                _limit = Math.Max(1, _limit / 2);
            }

            var until = ResetOf(response, now) ?? now + Backoff(_consecutive);
            if (until > _closedUntil)
            {
                _closedUntil = until;
            }

            _reason = reason ?? (status == 429 ? "unspecified" : "service-unavailable");
            LogClosed(logger, status, _reason, _closedUntil, (int)_limit);
        }

        TrackerTelemetry.JiraThrottled.Add(1, new KeyValuePair<string, object?>("reason", _reason));
    }

    /// <summary>The latest instant any rate-limit header names; null when none does.</summary>
    internal static DateTimeOffset? ResetOf(HttpResponseMessage response, DateTimeOffset now)
    {
        DateTimeOffset? until = null;
        void Later(DateTimeOffset candidate)
        {
            if (until is null || candidate > until)
            {
                until = candidate;
            }
        }

        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                Later(now + delta);
            }
            else if (retryAfter.Date is { } date)
            {
                Later(date);
            }
        }

        foreach (var name in (string[])["X-RateLimit-Reset", "X-Beta-RateLimit-Reset", "RateLimit-Reset"])
        {
            if (Header(response, name) is not { } text)
            {
                continue;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && text.Contains('T', StringComparison.Ordinal))
            {
                Later(instant);
            }
            else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 86_400)
            {
                // The IETF draft's RateLimit-Reset is seconds from now.
                Later(now + TimeSpan.FromSeconds(seconds));
            }
        }

        return until;
    }

    private static TimeSpan Backoff(int consecutive)
    {
        var backoff = NoHintBackoff * Math.Pow(2, Math.Min(consecutive - 1, 10));
        return backoff > MaxNoHintBackoff ? MaxNoHintBackoff : backoff;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary>How far the limit may grow now: below the last closure's level for a while after it, else the maximum.</summary>
    private double Cap(DateTimeOffset now) => now < _ceilingUntil ? Math.Min(_max, _ceiling) : _max;

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            WakeWaitersWithRoom();
        }
    }

    /// <summary>
    /// Wakes as many waiters, oldest first, as there are free slots, each taken off the list as it is woken: waking the
    /// first without removing it let the next free slot wake the same (already woken) waiter again, and the one behind it
    /// then slept its whole second.
    /// </summary>
    private void WakeWaitersWithRoom()
    {
        var free = (int)_limit - _inFlight;
        while (free-- > 0 && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            first.Value.TrySetResult();
        }
    }

    private sealed class Slot(JiraRateGovernor governor) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                governor.Release();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jira's per-issue write limit answered HTTP {Status}; that call backs off, the window stays open")]
    private static partial void LogPerIssue(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jira rate limit: HTTP {Status}, reason {Reason}; no calls until {Until:O}; concurrency now {Limit}")]
    private static partial void LogClosed(ILogger logger, int status, string reason, DateTimeOffset until, int limit);
}
