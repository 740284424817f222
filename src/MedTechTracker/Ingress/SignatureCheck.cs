namespace MedTechTracker.Ingress;

public enum SignatureCheck
{
    Valid,

    /// <summary>No X-Hub-Signature header.</summary>
    Missing,

    /// <summary>Not of the form <c>method=hex</c>, or the hex has the wrong length.</summary>
    Malformed,

    /// <summary>A method other than sha256.</summary>
    UnsupportedMethod,

    /// <summary>Well-formed, but no configured secret produces it.</summary>
    Mismatch,
}
