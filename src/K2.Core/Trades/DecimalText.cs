using System.Buffers.Text;

namespace K2.Core.Trades;

/// <summary>
/// Strict parsing of exchange decimal text such as <c>"4.00000100"</c>: digits with at most one decimal point that has
/// digits on both sides, and no sign, exponent, spaces or thousands separators. Anything else is malformed input, not
/// a number to guess at.
/// </summary>
public static class DecimalText
{
    /// <summary>Decimal supports 28 significant digits; longer text cannot be exact.</summary>
    private const int MaxLength = 30;

    public static bool TryParse(ReadOnlySpan<byte> utf8, out decimal value)
    {
        value = 0;
        if (utf8.IsEmpty || utf8.Length > MaxLength || utf8[0] == (byte)'.' || utf8[^1] == (byte)'.')
        {
            return false;
        }

        var seenPoint = false;
        var digits = 0;
        var fractionDigits = 0;
        foreach (var b in utf8)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
                fractionDigits += seenPoint ? 1 : 0;
            }
            else if (b == (byte)'.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                return false;
            }
        }

        // The parser rounds text with more significant digits than decimal holds; rounding lowers the scale,
        // so a scale that differs from the text's decimal places means the value is not exact.
        return digits > 0
            && Utf8Parser.TryParse(utf8, out value, out var consumed)
            && consumed == utf8.Length
            && value.Scale == fractionDigits;
    }
}
