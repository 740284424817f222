using MedTechTracker.Rules.Model;

namespace MedTechTracker.Rules.Matching;

/// <summary>
/// A keyword or exclusion as compiled: per phrase (one, or several for an all-of entry) the hit ids of its
/// forms and the forms' text, so a match can name the form that hit.
/// </summary>
internal sealed record CompiledKeyword(Keyword Source, int[][] MemberIds, string[][] MemberForms)
{
    public string Display { get; } = Source.ToString();

    /// <summary>Per member, its forms' ids as a mask; set once the ids are final.</summary>
    public HitMask[] MemberMasks { get; set; } = [];
}
