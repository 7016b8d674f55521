using System.Globalization;

namespace K2.Api.Contracts;

/// <summary>Decimal text for responses: every significant digit, no trailing zeros, no exponent.</summary>
internal static class DecimalFormat
{
    private const string Pattern = "0.############################";

    public static string ToText(decimal value) => value.ToString(Pattern, CultureInfo.InvariantCulture);
}
