using System.Globalization;
using System.Security.Claims;
using MedTechTracker.Storage;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Admin;

/// <summary>
/// Admin page sessions bound to the key that opened them: a session carries the key's name, the fingerprint of its
/// configured hash, the key's session epoch and its sign-in time, and is checked against the configuration and the
/// settings store on every request. Signing out, rotating or removing the key moves the key's epoch in the store,
/// which ends its sessions on every replica at once.
/// </summary>
public sealed partial class AdminSessions(AdminKeys keys, IAdminSessionEpochs epochs, IOptionsMonitor<AdminOptions> options, TimeProvider time, ILogger<AdminSessions> logger)
{
    public const string FingerprintClaim = "mtc:key-fingerprint";
    public const string EpochClaim = "mtc:key-epoch";
    public const string IssuedClaim = "mtc:issued";

    /// <summary>The principal of a new session for the named key (already verified).</summary>
    public async Task<ClaimsPrincipal> OpenAsync(string keyName, CancellationToken cancellationToken)
    {
        var fingerprint = keys.FingerprintOf(keyName) ?? throw new InvalidOperationException("The admin key is not configured.");
        var epoch = await epochs.EnsureEpochAsync(keyName, fingerprint, cancellationToken).ConfigureAwait(false);
        if (epoch.Fingerprint != fingerprint)
        {
            // This replica's configuration holds a newer (or older) hash than the store knew: this one wins.
            epoch = await epochs.EndSessionsAsync(keyName, fingerprint, cancellationToken).ConfigureAwait(false);
        }

        return new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, keyName),
            new Claim(FingerprintClaim, fingerprint),
            new Claim(EpochClaim, epoch.Epoch.ToString(CultureInfo.InvariantCulture)),
            new Claim(IssuedClaim, time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], AdminAuth.CookieScheme));
    }

    /// <summary>True while the session's key is configured with the same hash, its epoch is current and it is not too old.</summary>
    public async Task<bool> IsValidAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var name = principal.Identity?.Name;
        var fingerprint = principal.FindFirstValue(FingerprintClaim);
        if (name is null || fingerprint is null
            || !long.TryParse(principal.FindFirstValue(EpochClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            || !long.TryParse(principal.FindFirstValue(IssuedClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return false;
        }

        if (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued) > options.CurrentValue.SessionMaxLifetime)
        {
            return false;
        }

        if (keys.FingerprintOf(name) != fingerprint)
        {
            return false;
        }

        var stored = await epochs.GetEpochAsync(name, cancellationToken).ConfigureAwait(false);
        return (stored?.Epoch ?? 0) == epoch && (stored is null || stored.Fingerprint == fingerprint);
    }

    /// <summary>Server-side sign-out: every session of this key ends, here and on every other replica.</summary>
    public async Task EndAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (principal.Identity?.Name is { } name && principal.FindFirstValue(FingerprintClaim) is { } fingerprint)
        {
            await epochs.EndSessionsAsync(name, fingerprint, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Brings the store in line with this replica's configuration: a key whose hash changed, or that was removed,
    /// gets a new epoch, which ends its sessions on replicas that still run the old configuration too.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var configured = keys.Fingerprints();
        foreach (var stored in await epochs.ListEpochsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!configured.TryGetValue(stored.KeyName, out var fingerprint))
            {
                if (!stored.Fingerprint.StartsWith(RemovedPrefix, StringComparison.Ordinal))
                {
                    await epochs.EndSessionsAsync(stored.KeyName, RemovedPrefix + stored.Fingerprint, cancellationToken).ConfigureAwait(false);
                    LogEnded(logger, stored.KeyName, "removed from the configuration");
                }
            }
            else if (stored.Fingerprint != fingerprint)
            {
                await epochs.EndSessionsAsync(stored.KeyName, fingerprint, cancellationToken).ConfigureAwait(false);
                LogEnded(logger, stored.KeyName, "rotated");
            }
        }

        foreach (var (name, fingerprint) in configured)
        {
            await epochs.EnsureEpochAsync(name, fingerprint, cancellationToken).ConfigureAwait(false);
        }
    }

    // A removed key's record keeps its epoch (moved on once) so a re-added key cannot revive old sessions.
    private const string RemovedPrefix = "removed:";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin key {Admin} was {Change}: its sessions are ended on every replica")]
    private static partial void LogEnded(ILogger logger, string admin, string change);
}
