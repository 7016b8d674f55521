using System.Globalization;

namespace K2.Api.Contracts;

/// <summary>Decimal text for responses: every significant digit, no trailing zeros, no exponent.</summary>
internal static class DecimalFormat
{
    private const string Pattern = "0.############################";

    public static string ToText(decimal value) => value.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>
    /// An integer count of 10^-<paramref name="scale"/> units as decimal text, exactly: candle sums are 128-bit and may
    /// exceed what <see cref="decimal"/> holds.
    /// </summary>
    public static string ToText(Int128 units, int scale)
    {
        var digits = Int128.Abs(units).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        var whole = digits[..^scale];
        var fraction = digits[^scale..].TrimEnd('0');
        return (units < 0 ? "-" : "") + whole + (fraction.Length > 0 ? "." + fraction : "");
    }
}
