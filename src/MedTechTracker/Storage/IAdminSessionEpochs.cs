namespace MedTechTracker.Storage;

/// <summary>
/// Per-admin-key session epochs, kept in the settings store so that every replica sees a logout, a rotation or a
/// removal at once. Adapters: the SQLite and Azure Table settings stores.
/// </summary>
public interface IAdminSessionEpochs
{
    /// <summary>The key's epoch, or null when none was recorded (epoch 0).</summary>
    Task<AdminKeyEpoch?> GetEpochAsync(string keyName, CancellationToken cancellationToken);

    Task<IReadOnlyList<AdminKeyEpoch>> ListEpochsAsync(CancellationToken cancellationToken);

    /// <summary>Records the key's fingerprint at epoch 0 unless the key already has an epoch; returns what is stored.</summary>
    Task<AdminKeyEpoch> EnsureEpochAsync(string keyName, string fingerprint, CancellationToken cancellationToken);

    /// <summary>Ends every session of the key: the epoch goes up by one, atomically, and the fingerprint is set.</summary>
    Task<AdminKeyEpoch> EndSessionsAsync(string keyName, string fingerprint, CancellationToken cancellationToken);
}
