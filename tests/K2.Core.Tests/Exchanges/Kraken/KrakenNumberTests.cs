using System.Globalization;
using System.Text;
using K2.Core.Exchanges.Kraken;

namespace K2.Core.Tests.Exchanges.Kraken;

public sealed class KrakenNumberTests
{
    [Theory]
    [InlineData("0.5147", "0.5147")]
    [InlineData("40.0", "40.0")]
    [InlineData("0.00044780", "0.00044780")]
    [InlineData("83744", "83744")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("0", "0")]
    [InlineData("0.000", "0.000")]
    [InlineData("-0", "0")]
    [InlineData("1e3", "1000")]
    [InlineData("1.5E+2", "150")]
    [InlineData("1.50e2", "150")]
    [InlineData("15e-1", "1.5")]
    [InlineData("1e-28", "0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("7922816251426433759354395033.50", "7922816251426433759354395033.5")]
    [InlineData("1.0000000000000000000000000000000000", "1.0000000000000000000000000000")]
    [InlineData("0e999999999", "0")]
    public void Representable_numbers_parse_exactly(string text, string expected)
    {
        KrakenNumber.TryParseDecimal(Encoding.UTF8.GetBytes(text), out var value).ShouldBeTrue();

        value.ToString(CultureInfo.InvariantCulture).ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("+1")]
    [InlineData("1.5.5")]
    [InlineData("0x10")]
    [InlineData("1 ")]
    [InlineData("1e-29")]
    [InlineData("123e-30")] // 1.23e-28 needs 30 decimal places
    [InlineData("79228162514264337593543950336")]
    [InlineData("1e29")]
    [InlineData("1.00000000000000000000000000001")]
    [InlineData("1e999999999")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Anything_else_fails(string text)
    {
        KrakenNumber.TryParseDecimal(Encoding.UTF8.GetBytes(text), out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("1688669597.8277369", 1_688_669_597_827_736)]
    [InlineData("1688669602.698379", 1_688_669_602_698_379)]
    [InlineData("1688669602", 1_688_669_602_000_000)]
    [InlineData("1.688669602698379e9", 1_688_669_602_698_379)]
    public void Seconds_become_microseconds_with_finer_digits_truncated(string text, long micros)
    {
        KrakenNumber.TryParseSecondsAsMicros(Encoding.UTF8.GetBytes(text), out var time).ShouldBeTrue();

        time.ShouldBe(new UnixMicros(micros));
    }

    [Theory]
    [InlineData("9e15")]
    [InlineData("\"1\"")]
    public void Seconds_outside_the_microsecond_range_fail(string text)
    {
        KrakenNumber.TryParseSecondsAsMicros(Encoding.UTF8.GetBytes(text), out _).ShouldBeFalse();
    }
}
