using System.Text;
using K2.Core.Exchanges.Kraken;

namespace K2.Core.Tests.Exchanges.Kraken;

public sealed class KrakenTimeTests
{
    [Theory]
    [InlineData("1970-01-01T00:00:00Z", 0L)]
    [InlineData("1970-01-01T00:00:00.000001Z", 1L)]
    [InlineData("1969-12-31T23:59:59.999999Z", -1L)]
    [InlineData("2023-09-25T07:48:36.925533Z", 1_695_628_116_925_533L)]
    [InlineData("2023-09-25T07:48:36.925533999Z", 1_695_628_116_925_533L)]
    [InlineData("2023-09-25T07:48:36.9Z", 1_695_628_116_900_000L)]
    [InlineData("2023-09-25T09:48:36.925533+02:00", 1_695_628_116_925_533L)]
    [InlineData("2023-09-25T02:18:36.925533-05:30", 1_695_628_116_925_533L)]
    [InlineData("2024-02-29T00:00:00Z", 1_709_164_800_000_000L)]
    [InlineData("2000-03-01T00:00:00Z", 951_868_800_000_000L)]
    [InlineData("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999L)]
    [InlineData("0001-01-01T00:00:00Z", -62_135_596_800_000_000L)]
    public void Rfc3339_is_read_exactly_to_the_microsecond(string text, long micros)
    {
        KrakenTime.TryParseRfc3339(Encoding.UTF8.GetBytes(text), out var time).ShouldBeTrue();

        time.ShouldBe(new UnixMicros(micros));
        // DateTimeOffset rounds to 100 ns ticks, so it can only confirm times without finer digits.
        if (text.EndsWith('Z') && text.Length <= "2023-09-25T07:48:36.925533Z".Length)
        {
            time.ShouldBe(UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("2023-09-25")]
    [InlineData("2023-09-25T07:48:36")]
    [InlineData("2023-09-25T07:48:36.Z")]
    [InlineData("2023-09-25 07:48:36Z")]
    [InlineData("2023-9-25T07:48:36Z")]
    [InlineData("2023-13-25T07:48:36Z")]
    [InlineData("2023-00-25T07:48:36Z")]
    [InlineData("2023-02-29T07:48:36Z")]
    [InlineData("2023-04-31T07:48:36Z")]
    [InlineData("2023-09-25T24:00:00Z")]
    [InlineData("2023-09-25T07:60:36Z")]
    [InlineData("2023-09-25T23:59:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2023-09-25T07:48:36.925533ZZ")]
    [InlineData("2023-09-25T07:48:36+0200")]
    [InlineData("2023-09-25T07:48:36+24:00")]
    [InlineData("2023-09-25T07:48:36.1234567890123456789Z")]
    [InlineData("2023-09-25T07:48:3a.925533Z")]
    public void Anything_else_fails(string text)
    {
        KrakenTime.TryParseRfc3339(Encoding.UTF8.GetBytes(text), out _).ShouldBeFalse();
    }
}
