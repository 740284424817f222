namespace MedTechTracker.Storage;

/// <summary>
/// The session epoch of one admin key: sessions opened at an older epoch, or under another fingerprint of the
/// key's configured hash, are over. Holds no key and no hash, only a short fingerprint of the hash.
/// </summary>
public sealed record AdminKeyEpoch(string KeyName, string Fingerprint, long Epoch);
