using System.Globalization;
using System.Text;
using K2.Core.Trades;

namespace K2.Core.Tests.Trades;

public sealed class DecimalTextTests
{
    private static (bool Ok, decimal Value) Parse(string text)
    {
        var ok = DecimalText.TryParse(Encoding.UTF8.GetBytes(text), out var value);
        return (ok, value);
    }

    [Theory]
    [InlineData("0.001", "0.001")]
    [InlineData("100", "100")]
    [InlineData("4.00000100", "4.00000100")]
    [InlineData("87012.34000000", "87012.34000000")]
    [InlineData("0", "0")]
    [InlineData("0.00000000", "0.00000000")]
    [InlineData("00012.5", "12.5")]
    [InlineData("9999999999.99999999", "9999999999.99999999")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")] // decimal.MaxValue, 29 characters
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")] // 30 characters, scale 28
    [InlineData("1.000000000000000000000000000", "1.000000000000000000000000000")]
    [InlineData("7922816251426433759354395033.5", "7922816251426433759354395033.5")] // decimal.MaxValue / 10, exactly
    public void Plain_decimal_text_parses_exactly_keeping_its_scale(string text, string expected)
    {
        var (ok, value) = Parse(text);

        ok.ShouldBeTrue();
        value.ToString(CultureInfo.InvariantCulture).ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("-0")]
    [InlineData("1e5")]
    [InlineData("1E5")]
    [InlineData("1.5e-3")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1\n")]
    [InlineData("1,000")]
    [InlineData("1,5")]
    [InlineData("1..2")]
    [InlineData("1.2.3")]
    [InlineData(".")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("abc")]
    [InlineData("0x1F")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1_000")]
    [InlineData("\u0661")] // Arabic-Indic one
    [InlineData("\uFF11")] // full-width one
    [InlineData("79228162514264337593543950336")] // decimal.MaxValue + 1
    [InlineData("0.00000000000000000000000000001")] // 31 characters
    [InlineData("1234567890123456789012345678901")]
    public void Anything_but_plain_digits_and_one_point_is_refused(string text)
    {
        Parse(text).Ok.ShouldBeFalse();
    }

    [Theory]
    [InlineData("9.9999999999999999999999999999")] // 29 significant digits: decimal would round it to 10
    [InlineData("8.0000000000000000000000000001")] // would round to 8
    [InlineData(".00000000000000000000000000001")] // 29 decimals: would round to 0
    [InlineData("7922816251426433759354395033.6")] // one past decimal.MaxValue / 10: would round
    public void Text_that_decimal_cannot_hold_exactly_is_refused_not_rounded(string text)
    {
        Parse(text).Ok.ShouldBeFalse();
    }
}
