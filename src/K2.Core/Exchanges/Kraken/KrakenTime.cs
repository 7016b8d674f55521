namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// RFC 3339 timestamps as WebSocket v2 sends them (<c>2023-09-25T07:48:36.925533Z</c>), read exactly into
/// <see cref="UnixMicros"/> without allocating. Kraken prints microseconds on trades and nanoseconds elsewhere
/// (<c>…26.844359566Z</c>); digits below the microsecond are dropped (truncated), which is how a microsecond clock
/// would have read the same instant. Any number of fraction digits and a numeric offset are accepted.
/// </summary>
internal static class KrakenTime
{
    private const long SecondsPerDay = 86_400;
    private const long MicrosPerSecond = 1_000_000;
    private const int MicrosecondDigits = 6;

    /// <summary>The shortest form: <c>YYYY-MM-DDTHH:MM:SSZ</c>.</summary>
    private const int MinLength = 20;

    /// <summary>More fraction digits than this is not a clock reading; refusing keeps the loop bounded.</summary>
    private const int MaxFractionDigits = 18;

    public static bool TryParseRfc3339(ReadOnlySpan<byte> text, out UnixMicros time)
    {
        time = default;
        if (text.Length < MinLength
            || !TryDigits(text, 0, 4, out var year) || text[4] != (byte)'-'
            || !TryDigits(text, 5, 2, out var month) || text[7] != (byte)'-'
            || !TryDigits(text, 8, 2, out var day) || (text[10] | 0x20) != (byte)'t'
            || !TryDigits(text, 11, 2, out var hour) || text[13] != (byte)':'
            || !TryDigits(text, 14, 2, out var minute) || text[16] != (byte)':'
            || !TryDigits(text, 17, 2, out var second))
        {
            return false;
        }

        // Leap seconds (second 60) are refused: none has occurred since 2016 and UnixMicros cannot express one.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var i = 19;
        long micros = 0;
        if (text[i] == (byte)'.')
        {
            var start = ++i;
            while (i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9')
            {
                if (i - start < MicrosecondDigits)
                {
                    micros = (micros * 10) + (text[i] - '0');
                }

                i++;
            }

            var fractionDigits = i - start;
            if (fractionDigits is 0 or > MaxFractionDigits)
            {
                return false;
            }

            for (var pad = fractionDigits; pad < MicrosecondDigits; pad++)
            {
                micros *= 10;
            }
        }

        if (!TryOffset(text[i..], out var offsetSeconds))
        {
            return false;
        }

        var seconds = (DaysFromCivil(year, month, day) * SecondsPerDay) + (hour * 3600L) + (minute * 60L) + second - offsetSeconds;
        time = new UnixMicros((seconds * MicrosPerSecond) + micros);
        return true;
    }

    /// <summary><c>Z</c>, <c>z</c> or <c>±HH:MM</c>, and nothing after it.</summary>
    private static bool TryOffset(ReadOnlySpan<byte> text, out long offsetSeconds)
    {
        offsetSeconds = 0;
        if (text.Length == 1 && (text[0] | 0x20) == (byte)'z')
        {
            return true;
        }

        if (text.Length != 6 || text[0] is not ((byte)'+' or (byte)'-') || text[3] != (byte)':'
            || !TryDigits(text, 1, 2, out var hours) || !TryDigits(text, 4, 2, out var minutes) || hours > 23 || minutes > 59)
        {
            return false;
        }

        offsetSeconds = ((hours * 3600L) + (minutes * 60L)) * (text[0] == (byte)'-' ? -1 : 1);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        foreach (var b in text.Slice(start, count))
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date algorithms").</summary>
    private static long DaysFromCivil(int year, int month, int day)
    {
        year -= month <= 2 ? 1 : 0;
        var era = (year >= 0 ? year : year - 399) / 400;
        var yearOfEra = year - (era * 400);                                         // [0, 399]
        var dayOfYear = ((153 * (month + (month > 2 ? -3 : 9))) + 2) / 5 + day - 1; // [0, 365], March-based
        var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097L) + dayOfEra - 719_468;                               // 719,468 days from 0000-03-01 to 1970-01-01
    }
}
