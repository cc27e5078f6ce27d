using System.Globalization;

namespace PayMyInvoice.Core;

/// <summary>
/// The one check of client text that is stored and later shown, mailed or sent to Stripe: no character a person
/// cannot see or that changes how the rest reads. Refused everywhere: control characters (Unicode Cc: NUL, escape,
/// tab and line breaks too), format characters (Cf: the byte order mark U+FEFF, bidirectional overrides such as
/// U+202E, soft hyphen…), line and paragraph separators (U+2028, U+2029) and lone surrogates (an escaped
/// <c>\ud800</c> in JSON: not text, and not storable as UTF-8), and U+FFFD, U+FFFE, U+FFFF: the replacement character
/// is what bytes that were not UTF-8 became on the way (API Gateway decodes a text body so, without binaryMediaTypes,
/// before the function sees it), so storing it would store a corruption the sender never meant. Free text (descriptions) may keep the zero-width
/// joiner and non-joiner (U+200D, U+200C): emoji sequences and some scripts (Persian, Indic) need them. A description
/// is one line on purpose: it is the emails' subject line and Stripe's payment description.
/// </summary>
public static class TextRules
{
    /// <summary>Null when <paramref name="value"/> is clean; otherwise the field error naming <paramref name="field"/>.</summary>
    public static FieldError? Check(string field, string? value, bool freeText = false) =>
        value is not null && HasHiddenCharacters(value, freeText)
            ? new FieldError(field, "invalid_characters", "Must not contain control or invisible format characters (NUL, line breaks, U+FEFF, U+202E...) or broken Unicode.")
            : null;

    public static bool HasHiddenCharacters(ReadOnlySpan<char> value, bool freeText = false)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    // A pair: judge the code point it makes (tag characters U+E0000… are Cf).
                    if (CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, value[i + 1])) == UnicodeCategory.Format)
                    {
                        return true;
                    }

                    i++;
                    continue;
                }

                return true;
            }

            if (c is '\uFFFD' or '\uFFFE' or '\uFFFF')
            {
                return true;
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Surrogate: // a low surrogate on its own
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    return true;
                case UnicodeCategory.Format when !(freeText && c is '\u200C' or '\u200D'):
                    return true;
            }
        }

        return false;
    }
}
