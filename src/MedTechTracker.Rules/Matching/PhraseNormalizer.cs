using System.Text;

namespace MedTechTracker.Rules.Matching;

/// <summary>
/// The canonical form of a phrase: case-folded, every run of separators collapsed to one space,
/// no leading or trailing separator. Two phrases match the same texts exactly when their forms are equal.
/// </summary>
public static class PhraseNormalizer
{
    public static string Normalize(string phrase)
    {
        var builder = new StringBuilder(phrase.Length);
        var pendingSeparator = false;
        foreach (var c in phrase)
        {
            if (CharClass.Kind(c) == CharClass.Separator)
            {
                pendingSeparator = builder.Length > 0;
                continue;
            }

            if (pendingSeparator)
            {
                builder.Append(' ');
                pendingSeparator = false;
            }

            builder.Append(CharClass.Fold(c));
        }

        return builder.ToString();
    }
}
