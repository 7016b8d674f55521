using System.Buffers.Text;

namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// Reads a JSON number token's text as an exact <see cref="decimal"/>: Kraken publishes prices, quantities and REST
/// times as JSON numbers "with the same precision as the engine", so they are never read as doubles. Exponents are
/// accepted whenever the value is exactly representable (<c>1.5e-3</c>, <c>12E2</c>); the printed scale is kept
/// where it fits (<c>40.0</c> stays <c>40.0</c>).
/// </summary>
internal static class KrakenNumber
{
    /// <summary>A decimal holds at most 28 decimal places…</summary>
    private const int MaxScale = 28;

    /// <summary>…and a 96-bit mantissa: at most 29 digits (and not every 29-digit number).</summary>
    private const int MaxMantissaDigits = 29;

    /// <summary>Longer number text is not a price; refusing it keeps the digit buffer on the stack.</summary>
    private const int MaxTextLength = 128;

    /// <summary>Exponents beyond this are clamped; any value that needs one is not representable anyway.</summary>
    private const int MaxExponentMagnitude = 1_000;

    private static readonly UInt128 MaxMantissa = ((UInt128)1 << 96) - 1;

    /// <summary>Parses JSON number grammar (<c>-?int(.frac)?([eE][+-]?exp)?</c>) exactly, or fails.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxTextLength)
        {
            return false;
        }

        Span<byte> digits = stackalloc byte[MaxTextLength];
        var count = 0;
        var i = 0;
        var negative = text[0] == (byte)'-';
        i += negative ? 1 : 0;

        var integerDigits = CopyDigits(text, ref i, digits, ref count);
        // JSON forbids leading zeros ("01") but the value would be the same; only a missing integer part is fatal.
        if (integerDigits == 0)
        {
            return false;
        }

        var fractionDigits = 0;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            fractionDigits = CopyDigits(text, ref i, digits, ref count);
            if (fractionDigits == 0)
            {
                return false;
            }
        }

        var exponent = 0;
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            if (!TryReadExponent(text, ref i, out exponent))
            {
                return false;
            }
        }

        if (i != text.Length)
        {
            return false;
        }

        // value = digits × 10^-scale
        var scale = fractionDigits - exponent;
        var significant = digits[..count].TrimStart((byte)'0');
        if (significant.IsEmpty)
        {
            value = new decimal(0, 0, 0, negative, (byte)Math.Clamp(scale, 0, MaxScale));
            return true;
        }

        var trailingZeros = significant.Length - significant.TrimEnd((byte)'0').Length;
        var length = significant.Length;
        if (scale < 0)
        {
            // A positive exponent beyond the fraction: append zeros, if the result still has at most 29 digits.
            if (length - scale > MaxMantissaDigits)
            {
                return false;
            }
        }
        else
        {
            // Too many digits or too small a unit: drop trailing zeros, which lowers the scale without changing the value.
            var drop = Math.Max(length - MaxMantissaDigits, scale - MaxScale);
            if (drop > 0)
            {
                if (drop > trailingZeros || drop > scale)
                {
                    return false;
                }

                length -= drop;
                trailingZeros -= drop;
                scale -= drop;
            }
        }

        UInt128 mantissa = 0;
        foreach (var digit in significant[..length])
        {
            mantissa = (mantissa * 10) + (uint)(digit - '0');
        }

        for (; scale < 0; scale++)
        {
            mantissa *= 10;
        }

        // 29 digits may still exceed 2^96 - 1; one more trailing zero may save it.
        while (mantissa > MaxMantissa)
        {
            if (trailingZeros == 0 || scale == 0)
            {
                return false;
            }

            mantissa /= 10;
            trailingZeros--;
            scale--;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative, (byte)scale);
        return true;
    }

    /// <summary>
    /// Reads a JSON number of seconds since 1970 (<c>1688669597.8277369</c>) as microseconds, truncating digits
    /// below the microsecond (Kraken's REST times are doubles of finer clocks; see <see cref="KrakenRestTradesParser"/>).
    /// </summary>
    public static bool TryParseSecondsAsMicros(ReadOnlySpan<byte> text, out UnixMicros time)
    {
        // A long holds ±9.2e18 µs, i.e. ±9.2e12 s.
        const decimal MaxSeconds = 9_000_000_000_000m;
        const decimal MicrosPerSecond = 1_000_000m;

        time = default;
        if (!TryParseDecimal(text, out var seconds) || seconds > MaxSeconds || seconds < -MaxSeconds)
        {
            return false;
        }

        time = new UnixMicros((long)decimal.Floor(seconds * MicrosPerSecond));
        return true;
    }

    /// <summary>Whole UTF-8 text of a JSON number for messages, bounded so a hostile token cannot bloat them.</summary>
    public static string Describe(ReadOnlySpan<byte> text) =>
        text.Length <= 40 ? System.Text.Encoding.UTF8.GetString(text) : System.Text.Encoding.UTF8.GetString(text[..40]) + "…";

    /// <summary>Integer text (<c>1688671969993150842</c>) as a long, or null.</summary>
    public static long? ParseInt64(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out long value, out var consumed) && consumed == text.Length && text[0] != (byte)'+' ? value : null;

    private static int CopyDigits(ReadOnlySpan<byte> text, ref int i, Span<byte> digits, ref int count)
    {
        var start = i;
        while (i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9')
        {
            digits[count++] = text[i++];
        }

        return i - start;
    }

    private static bool TryReadExponent(ReadOnlySpan<byte> text, ref int i, out int exponent)
    {
        exponent = 0;
        var negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == (byte)'-';
            i++;
        }

        var start = i;
        while (i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9')
        {
            exponent = Math.Min(MaxExponentMagnitude, (exponent * 10) + (text[i] - '0'));
            i++;
        }

        exponent = negative ? -exponent : exponent;
        return i > start;
    }
}
