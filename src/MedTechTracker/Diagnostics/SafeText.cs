using System.Globalization;
using System.Text;

namespace MedTechTracker.Diagnostics;

/// <summary>
/// Text from outside (Jira's error messages, stored dead-letter reasons) made safe to store, log and print:
/// control and format characters (terminal escapes, bidi overrides, newlines) become visible <c>\x1B</c>-style
/// escapes, and the result is bounded.
/// </summary>
public static class SafeText
{
    public const int DefaultMaxLength = 500;

    public static string Clean(string? text, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength + 16));
        foreach (var rune in text.EnumerateRunes())
        {
            if (builder.Length >= maxLength)
            {
                builder.Append('…');
                break;
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                builder.Append(rune.Value <= 0xFF ? $"\\x{rune.Value:X2}" : $"\\u{rune.Value:X4}");
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }
}
