using System.ComponentModel.DataAnnotations;
using System.Net;

namespace MedTechTracker.Hosting;

/// <summary>
/// Section "ForwardedHeaders": the reverse proxies whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are
/// believed. None by default, so a client cannot choose the address its limits and log lines are kept under.
/// </summary>
public sealed class TrustedProxyOptions : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>ForwardedHeaders__KnownProxies__0=10.0.0.4</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>ForwardedHeaders__KnownNetworks__0=10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i], out _))
            {
                yield return new ValidationResult($"ForwardedHeaders:KnownProxies:{i} is not an IP address.", [nameof(KnownProxies)]);
            }
        }

        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(KnownNetworks[i], out _))
            {
                yield return new ValidationResult($"ForwardedHeaders:KnownNetworks:{i} is not a network in CIDR notation (such as 10.0.0.0/24).", [nameof(KnownNetworks)]);
            }
        }
    }
}
