using K2.Core.Candles;

namespace K2.Core.Tests.Candles;

public sealed class TimeframeTests
{
    private static UnixMicros At(string iso) => UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(Timeframe.OneMinute, "2026-11-22T13:47:12.123456Z", "2026-11-22T13:47:00Z")]
    [InlineData(Timeframe.FiveMinutes, "2026-11-22T13:47:12.123456Z", "2026-11-22T13:45:00Z")]
    [InlineData(Timeframe.FifteenMinutes, "2026-11-22T13:47:12.123456Z", "2026-11-22T13:45:00Z")]
    [InlineData(Timeframe.ThirtyMinutes, "2026-11-22T13:47:12.123456Z", "2026-11-22T13:30:00Z")]
    [InlineData(Timeframe.OneHour, "2026-11-22T13:47:12.123456Z", "2026-11-22T13:00:00Z")]
    [InlineData(Timeframe.OneDay, "2026-11-22T23:59:59.999999Z", "2026-11-22T00:00:00Z")]
    [InlineData(Timeframe.OneMinute, "2026-11-22T13:47:00Z", "2026-11-22T13:47:00Z")]
    [InlineData(Timeframe.OneDay, "1969-12-31T23:00:00Z", "1969-12-31T00:00:00Z")]
    public void A_bucket_starts_at_the_last_multiple_of_its_duration_in_utc(Timeframe timeframe, string time, string start)
    {
        timeframe.BucketStart(At(time)).ShouldBe(At(start));
        CandleBucket.Of(timeframe, At(time)).End.ShouldBe(new UnixMicros(At(start).Value + timeframe.DurationMicros()));
    }

    [Fact]
    public void Names_round_trip_and_unknown_names_are_refused()
    {
        Timeframes.All.Select(t => t.ToName()).ShouldBe(["1m", "5m", "15m", "30m", "1h", "1d"]);
        foreach (var timeframe in Timeframes.All)
        {
            Timeframes.TryParse(timeframe.ToName(), out var parsed).ShouldBeTrue();
            parsed.ShouldBe(timeframe);
        }

        Timeframes.TryParse("2m", out _).ShouldBeFalse();
        Timeframes.TryParse("1M", out _).ShouldBeFalse();
    }
}
