using System.Text;
using K2.Core.Exchanges.Coinbase;

namespace K2.Core.Tests.Exchanges.Coinbase;

public sealed class CoinbaseTimestampsTests
{
    [Theory]
    [InlineData("2019-08-14T20:42:27.265Z", 1_565_815_347_265_000)] // the docs' trade time: milliseconds
    [InlineData("2026-11-22T10:15:00.012345Z", 1_795_342_500_012_345)] // microseconds, as live trades carry
    [InlineData("2023-02-09T20:19:35.39625135Z", 1_675_973_975_396_251)] // eight digits: truncated, not rounded
    [InlineData("2023-06-23T20:31:26.122969572Z", 1_687_552_286_122_969)] // nanoseconds
    [InlineData("2023-06-23T20:31:26.999999999Z", 1_687_552_286_999_999)] // never rounds into the next second
    [InlineData("2021-05-31T09:59:59.000Z", 1_622_455_199_000_000)]
    [InlineData("2021-05-31T09:59:59Z", 1_622_455_199_000_000)] // no fraction (Go drops an all-zero one)
    [InlineData("2021-05-31T09:59:59.5Z", 1_622_455_199_500_000)]
    [InlineData("2021-05-31t09:59:59z", 1_622_455_199_000_000)] // RFC 3339 allows lower case
    [InlineData("2021-05-31T11:59:59+02:00", 1_622_455_199_000_000)]
    [InlineData("2021-05-31T04:29:59-05:30", 1_622_455_199_000_000)]
    [InlineData("2021-05-31T09:59:59.000000-00:00", 1_622_455_199_000_000)]
    [InlineData("1970-01-01T00:00:00Z", 0)]
    [InlineData("1969-12-31T23:59:59.9999999Z", -1)] // before 1970, truncation still goes toward the past
    [InlineData("2024-02-29T00:00:00Z", 1_709_164_800_000_000)] // a leap day
    [InlineData("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999)]
    [InlineData("0001-01-01T00:00:00Z", -62_135_596_800_000_000)]
    public void Reads_RFC_3339_exactly_to_the_microsecond(string text, long expected)
    {
        CoinbaseTimestamps.TryParse(Encoding.UTF8.GetBytes(text), out var value).ShouldBeTrue();
        value.ShouldBe(new UnixMicros(expected));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2021-05-31")]
    [InlineData("2021-05-31T09:59:59")] // no offset
    [InlineData("2021-05-31 09:59:59Z")] // a space instead of T
    [InlineData("2021-05-31T09:59:59.Z")] // a point without digits
    [InlineData("2021-05-31T09:59:59.12a3Z")]
    [InlineData("2021-05-31T09:59:60Z")] // a leap second
    [InlineData("2021-02-29T00:00:00Z")] // not a leap year
    [InlineData("2021-13-01T00:00:00Z")]
    [InlineData("2021-00-01T00:00:00Z")]
    [InlineData("2021-04-31T00:00:00Z")]
    [InlineData("2021-05-31T24:00:00Z")]
    [InlineData("2021-05-31T23:60:00Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2021-05-31T09:59:59+2:00")]
    [InlineData("2021-05-31T09:59:59+24:00")]
    [InlineData("2021-05-31T09:59:59+02:60")]
    [InlineData("2021-05-31T09:59:59+0200")]
    [InlineData("2021-05-31T09:59:59ZZ")]
    [InlineData("+2021-05-31T09:59:59Z")]
    [InlineData("2021-5-31T09:59:59Z")]
    [InlineData("２０２１-05-31T09:59:59Z")] // digits outside ASCII
    [InlineData("2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105")] // Go's time.String(), the heartbeat's current_time
    public void Refuses_anything_else(string text)
    {
        CoinbaseTimestamps.TryParse(Encoding.UTF8.GetBytes(text), out _).ShouldBeFalse();
    }

    [Fact]
    public void Refuses_overlong_text_even_when_it_is_only_more_fraction_digits()
    {
        CoinbaseTimestamps.TryParse(Encoding.UTF8.GetBytes("2021-05-31T09:59:59." + new string('1', 40) + "Z"), out _).ShouldBeTrue();
        CoinbaseTimestamps.TryParse(Encoding.UTF8.GetBytes("2021-05-31T09:59:59." + new string('1', 60) + "Z"), out _).ShouldBeFalse();
    }

    [Fact]
    public void Agrees_with_the_framework_on_every_microsecond_shape()
    {
        var random = new Random(1122);
        for (var i = 0; i < 2_000; i++)
        {
            var instant = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, 4_102_444_800L * TimeSpan.TicksPerSecond));
            var digits = random.Next(0, 8);
            var text = instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + new string('f', digits)) + "'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var expected = UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture));

            CoinbaseTimestamps.TryParse(Encoding.UTF8.GetBytes(text), out var value).ShouldBeTrue(text);
            value.ShouldBe(expected, text);
        }
    }
}
