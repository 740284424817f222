namespace MedTechTracker.Rules.Matching;

/// <summary>Compares names (issue types) by their case folds, ignoring surrounding whitespace, without allocating.</summary>
internal sealed class FoldedNameComparer : IEqualityComparer<string>
{
    public static readonly FoldedNameComparer Instance = new();

    public bool Equals(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null && y is null;
        }

        var a = x.AsSpan().Trim();
        var b = y.AsSpan().Trim();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (CharClass.Fold(a[i]) != CharClass.Fold(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(string obj)
    {
        var hash = default(HashCode);
        foreach (var c in obj.AsSpan().Trim())
        {
            hash.Add(CharClass.Fold(c));
        }

        return hash.ToHashCode();
    }
}
