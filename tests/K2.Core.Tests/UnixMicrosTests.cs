using K2.Testing;

namespace K2.Core.Tests;

public sealed class UnixMicrosTests
{
    /// <summary>9999-12-31T23:59:59.999999Z, the last microsecond DateTimeOffset can hold.</summary>
    private const long LastRepresentable = 253_402_300_799_999_999;

    /// <summary>0001-01-01T00:00:00Z.</summary>
    private const long FirstRepresentable = -62_135_596_800_000_000;

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1_000)]
    [InlineData(-1, -1_000)]
    [InlineData(1_672_515_782_136, 1_672_515_782_136_000)]
    [InlineData(9_223_372_036_854_775, 9_223_372_036_854_775_000)]
    public void Milliseconds_become_microseconds(long milliseconds, long micros)
    {
        UnixMicros.FromMilliseconds(milliseconds).Value.ShouldBe(micros);
    }

    [Theory]
    [InlineData(9_223_372_036_854_776)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Milliseconds_beyond_the_microsecond_range_throw_rather_than_wrap(long milliseconds)
    {
        Should.Throw<OverflowException>(() => UnixMicros.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(-1_000_001)]
    [InlineData(1_763_769_600_123_456)]
    [InlineData(LastRepresentable)]
    [InlineData(FirstRepresentable)]
    public void DateTimeOffset_round_trips(long micros)
    {
        var value = new UnixMicros(micros);

        UnixMicros.FromDateTimeOffset(value.ToDateTimeOffset()).ShouldBe(value);
    }

    [Fact]
    public void A_known_instant_converts_both_ways()
    {
        var instant = new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.Zero).AddTicks(1_234_560);

        UnixMicros.FromDateTimeOffset(instant).Value.ShouldBe(1_795_342_500_123_456);
        new UnixMicros(1_795_342_500_123_456).ToDateTimeOffset().ShouldBe(instant);
        new UnixMicros(1_795_342_500_123_456).ToDateTimeOffset().Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void The_offset_of_a_DateTimeOffset_does_not_change_the_instant()
    {
        var utc = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var local = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(2));

        UnixMicros.FromDateTimeOffset(local).ShouldBe(UnixMicros.FromDateTimeOffset(utc));
    }

    [Fact]
    public void Ticks_finer_than_a_microsecond_are_dropped()
    {
        var instant = DateTimeOffset.UnixEpoch.AddTicks(1_234_567); // 0.1234567 s

        UnixMicros.FromDateTimeOffset(instant).Value.ShouldBe(123_456);
    }

    [Fact]
    public void Now_reads_the_time_provider()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        time.Advance(TimeSpan.FromTicks(15));

        UnixMicros.Now(time).Value.ShouldBe(1_795_305_600_000_001);
    }

    [Theory]
    [InlineData(1_795_342_500_123_456, "2026-11-22T10:15:00.123456Z")]
    [InlineData(1_795_342_500_000_000, "2026-11-22T10:15:00.000000Z")]
    [InlineData(1_795_342_500_000_010, "2026-11-22T10:15:00.000010Z")]
    [InlineData(0, "1970-01-01T00:00:00.000000Z")]
    [InlineData(-1, "1969-12-31T23:59:59.999999Z")]
    [InlineData(-86_400_000_000, "1969-12-31T00:00:00.000000Z")]
    [InlineData(LastRepresentable, "9999-12-31T23:59:59.999999Z")]
    [InlineData(FirstRepresentable, "0001-01-01T00:00:00.000000Z")]
    public void ToString_is_ISO_8601_UTC_with_six_fractional_digits(long micros, string expected)
    {
        new UnixMicros(micros).ToString().ShouldBe(expected);
    }

    [Theory]
    [InlineData(LastRepresentable + 1)]
    [InlineData(FirstRepresentable - 1)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Values_beyond_the_calendar_print_their_count_and_refuse_conversion(long micros)
    {
        var value = new UnixMicros(micros);

        value.ToString().ShouldContain(micros.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Should.Throw<ArgumentOutOfRangeException>(() => value.ToDateTimeOffset());
    }

    [Fact]
    public void Values_order_and_subtract_as_microseconds()
    {
        var earlier = new UnixMicros(-5);
        var later = new UnixMicros(1_500);

        (earlier < later).ShouldBeTrue();
        (later > earlier).ShouldBeTrue();
        (earlier <= new UnixMicros(-5)).ShouldBeTrue();
        (later >= new UnixMicros(1_500)).ShouldBeTrue();
        (later < earlier).ShouldBeFalse();
        earlier.CompareTo(later).ShouldBeLessThan(0);
        (later - earlier).ShouldBe(TimeSpan.FromTicks(15_050));
        (earlier - later).ShouldBe(TimeSpan.FromTicks(-15_050));
    }

    [Fact]
    public void A_difference_too_large_for_a_TimeSpan_throws_rather_than_wraps()
    {
        Should.Throw<OverflowException>(() => new UnixMicros(long.MaxValue) - new UnixMicros(0));
        Should.Throw<OverflowException>(() => new UnixMicros(long.MinValue) - new UnixMicros(1));
    }
}
