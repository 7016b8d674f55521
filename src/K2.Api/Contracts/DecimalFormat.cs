using System.Globalization;

namespace K2.Api.Contracts;

/// <summary>Decimal text for responses: every significant digit, no trailing zeros, no exponent.</summary>
internal static class DecimalFormat
{
    private const string Pattern = "0.############################";

    public static string ToText(decimal value) => value.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>The most characters <see cref="Write"/> writes at <paramref name="scale"/>: a sign, 39 digits, a point and the leading fraction zeros.</summary>
    public static int MaxLength(int scale) => 1 + MaxDigits + 1 + scale;

    /// <summary>
    /// Writes an integer count of 10^-<paramref name="scale"/> units as decimal text into <paramref name="text"/> (at
    /// least <see cref="MaxLength"/> long), exactly, and returns its length: candle sums are 128-bit and may exceed what
    /// <see cref="decimal"/> holds, and a day of 1m candles formats 14,400 of these, with no string each.
    /// </summary>
    public static int Write(Int128 units, int scale, Span<char> text)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        // Int128.MinValue has no positive Int128: take the magnitude unsigned.
        var magnitude = units < 0 ? (UInt128)(-(units + 1)) + 1 : (UInt128)units;
        Span<char> digits = stackalloc char[MaxDigits];
        magnitude.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        digits = digits[..length];
        var wholeLength = Math.Max(length - scale, 1);
        var at = 0;
        if (units < 0)
        {
            text[at++] = '-';
        }

        if (length > scale)
        {
            digits[..wholeLength].CopyTo(text[at..]);
            at += wholeLength;
        }
        else
        {
            text[at++] = '0';
        }

        // The fraction's digits, zero-padded on the left to the scale, without trailing zeros.
        var fractionDigits = Math.Min(length, scale);
        var fraction = digits[(length - fractionDigits)..].TrimEnd('0');
        if (fraction.Length > 0)
        {
            text[at++] = '.';
            text.Slice(at, scale - fractionDigits).Fill('0');
            at += scale - fractionDigits;
            fraction.CopyTo(text[at..]);
            at += fraction.Length;
        }

        return at;
    }

    /// <summary>The digits of <see cref="UInt128.MaxValue"/>.</summary>
    private const int MaxDigits = 39;
}
