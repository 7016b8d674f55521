namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// Reads the RFC 3339 times Coinbase sends: trade <c>time</c> (<c>2019-08-14T20:42:27.265Z</c>, µs live) and the
/// envelope <c>timestamp</c> (<c>2023-02-09T20:19:35.39625135Z</c>, Go's RFC3339Nano: up to nine digits, trailing zeros
/// dropped). Exact to the microsecond: digits beyond the sixth are truncated, never rounded, so a time never moves
/// into the next microsecond (nor, at the end of a second, into the next second). Pure and allocation-free.
/// </summary>
/// <remarks>
/// Grammar (RFC 3339 §5.6): <c>YYYY-MM-DD</c> <c>T</c> <c>hh:mm:ss</c> [<c>.</c> 1*DIGIT] (<c>Z</c> | <c>±hh:mm</c>),
/// <c>T</c> and <c>Z</c> in either case. Leap seconds (<c>:60</c>) and year 0000 are refused: neither can be a trade time.
/// </remarks>
public static class CoinbaseTimestamps
{
    /// <summary>A nine-digit time with an offset is 35 bytes; anything far longer is not a timestamp.</summary>
    private const int MaxLength = 64;

    /// <summary>"2019-08-14T20:42:27": the fixed-width part before the fraction and the offset.</summary>
    private const int DateTimeLength = 19;

    /// <summary>"+hh:mm".</summary>
    private const int NumericOffsetLength = 6;

    private const int MicrosecondDigits = 6;
    private const long MicrosPerSecond = 1_000_000;
    private const long MicrosPerMinute = 60 * MicrosPerSecond;
    private const long MicrosPerHour = 60 * MicrosPerMinute;
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1_000;

    public static bool TryParse(ReadOnlySpan<byte> utf8, out UnixMicros value)
    {
        value = default;
        if (utf8.Length is < DateTimeLength + 1 or > MaxLength
            || utf8[4] != (byte)'-' || utf8[7] != (byte)'-' || (utf8[10] | 0x20) != (byte)'t'
            || utf8[13] != (byte)':' || utf8[16] != (byte)':'
            || !TryDigits(utf8[..4], out var year) || !TryDigits(utf8[5..7], out var month) || !TryDigits(utf8[8..10], out var day)
            || !TryDigits(utf8[11..13], out var hour) || !TryDigits(utf8[14..16], out var minute) || !TryDigits(utf8[17..19], out var second)
            || year == 0 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var rest = utf8[DateTimeLength..];
        long fractionMicros = 0;
        if (rest[0] == (byte)'.')
        {
            var digits = 1;
            while (digits < rest.Length && IsDigit(rest[digits]))
            {
                // The first six digits are microseconds; later ones are below a microsecond and truncated.
                if (digits <= MicrosecondDigits)
                {
                    fractionMicros = (fractionMicros * 10) + (rest[digits] - '0');
                }

                digits++;
            }

            if (digits == 1)
            {
                return false;
            }

            for (var scale = digits - 1; scale < MicrosecondDigits; scale++)
            {
                fractionMicros *= 10;
            }

            rest = rest[digits..];
        }

        if (!TryOffset(rest, out var offsetMicros))
        {
            return false;
        }

        var localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        value = new UnixMicros((localTicks / TicksPerMicrosecond) + fractionMicros - offsetMicros);
        return true;
    }

    /// <summary>"Z" is UTC; "+hh:mm" is ahead of UTC, so it is subtracted from the local time to reach UTC.</summary>
    private static bool TryOffset(ReadOnlySpan<byte> text, out long offsetMicros)
    {
        offsetMicros = 0;
        if (text.Length == 1)
        {
            return (text[0] | 0x20) == (byte)'z';
        }

        if (text.Length != NumericOffsetLength || text[0] is not ((byte)'+' or (byte)'-') || text[3] != (byte)':'
            || !TryDigits(text[1..3], out var hours) || !TryDigits(text[4..6], out var minutes) || hours > 23 || minutes > 59)
        {
            return false;
        }

        offsetMicros = (hours * MicrosPerHour) + (minutes * MicrosPerMinute);
        if (text[0] == (byte)'-')
        {
            offsetMicros = -offsetMicros;
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
