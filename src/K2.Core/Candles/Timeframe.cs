namespace K2.Core.Candles;

/// <summary>The candle intervals K2 rolls. Buckets are aligned to the Unix epoch in UTC, so a day starts at 00:00 UTC.</summary>
public enum Timeframe
{
    OneMinute,
    FiveMinutes,
    FifteenMinutes,
    ThirtyMinutes,
    OneHour,
    OneDay,
}

public static class Timeframes
{
    private const long MicrosPerMinute = 60_000_000;

    public static IReadOnlyList<Timeframe> All { get; } = Enum.GetValues<Timeframe>();

    /// <summary>The name used in storage and the API: <c>1m 5m 15m 30m 1h 1d</c>.</summary>
    public static string ToName(this Timeframe timeframe) => timeframe switch
    {
        Timeframe.OneMinute => "1m",
        Timeframe.FiveMinutes => "5m",
        Timeframe.FifteenMinutes => "15m",
        Timeframe.ThirtyMinutes => "30m",
        Timeframe.OneHour => "1h",
        Timeframe.OneDay => "1d",
        _ => throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, null),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out Timeframe timeframe)
    {
        foreach (var candidate in All)
        {
            if (name.SequenceEqual(candidate.ToName()))
            {
                timeframe = candidate;
                return true;
            }
        }

        timeframe = default;
        return false;
    }

    public static long DurationMicros(this Timeframe timeframe) => timeframe switch
    {
        Timeframe.OneMinute => MicrosPerMinute,
        Timeframe.FiveMinutes => 5 * MicrosPerMinute,
        Timeframe.FifteenMinutes => 15 * MicrosPerMinute,
        Timeframe.ThirtyMinutes => 30 * MicrosPerMinute,
        Timeframe.OneHour => 60 * MicrosPerMinute,
        Timeframe.OneDay => 24 * 60 * MicrosPerMinute,
        _ => throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, null),
    };

    /// <summary>The start of the bucket holding <paramref name="time"/>: the last multiple of the duration at or before it.</summary>
    public static UnixMicros BucketStart(this Timeframe timeframe, UnixMicros time)
    {
        var duration = timeframe.DurationMicros();
        var remainder = time.Value % duration;
        return new UnixMicros(time.Value - (remainder < 0 ? remainder + duration : remainder));
    }
}
