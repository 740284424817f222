namespace MedTechTracker.Rules.Matching;

/// <summary>
/// Whether one hit of every phrase of an all-of entry lies in a stretch of at most N words of a text
/// (a word is a run of letters and digits; the stretch runs from the earliest start to the latest end).
/// </summary>
internal static class ProximityWindow
{
    public static bool Fits(FieldScan field, HitMask[] memberMasks, int maxWords)
    {
        // Per member: its hits ordered by start, and the smallest end among the hits from each one onwards.
        var hits = field.HitsById;
        var members = new (int Start, int End)[memberMasks.Length][];
        for (var m = 0; m < memberMasks.Length; m++)
        {
            var occurrences = new List<(int Start, int End)>();
            foreach (var (id, list) in hits)
            {
                if (memberMasks[m].Contains(id))
                {
                    occurrences.AddRange(list);
                }
            }

            if (occurrences.Count == 0)
            {
                return false;
            }

            occurrences.Sort();
            members[m] = [.. occurrences];
        }

        var suffixMinEnd = new int[members.Length][];
        for (var m = 0; m < members.Length; m++)
        {
            var list = members[m];
            var min = suffixMinEnd[m] = new int[list.Length];
            for (var i = list.Length - 1; i >= 0; i--)
            {
                min[i] = i == list.Length - 1 ? list[i].End : Math.Min(list[i].End, min[i + 1]);
            }
        }

        // The best stretch starts where some hit starts; from there take, per member, the hit that ends first.
        // A start seen twice only repeats the same check.
        foreach (var list in members)
        {
            foreach (var (start, _) in list)
            {
                var end = -1;
                for (var m = 0; m < members.Length && end != int.MaxValue; m++)
                {
                    var first = FirstAtOrAfter(members[m], start);
                    end = first < 0 ? int.MaxValue : Math.Max(end, suffixMinEnd[m][first]);
                }

                if (end != int.MaxValue && field.WordsBetween(start, end) <= maxWords)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int FirstAtOrAfter((int Start, int End)[] list, int start)
    {
        int low = 0, high = list.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (list[mid].Start < start)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low < list.Length ? low : -1;
    }
}
