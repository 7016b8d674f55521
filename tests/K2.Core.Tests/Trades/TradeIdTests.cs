using System.Text;
using K2.Core.Trades;

namespace K2.Core.Tests.Trades;

public sealed class TradeIdTests
{
    [Fact]
    public void Canonical_integer_text_equals_the_number()
    {
        var fromText = TradeId.FromText("42");
        var fromNumber = TradeId.FromNumber(42);

        fromText.ShouldBe(fromNumber);
        (fromText == fromNumber).ShouldBeTrue();
        fromText.Equals((object)fromNumber).ShouldBeTrue();
        fromText.GetHashCode().ShouldBe(fromNumber.GetHashCode());
        fromText.IsNumeric.ShouldBeTrue();
        fromText.Number.ShouldBe(42);
        fromText.ToString().ShouldBe("42");
    }

    [Fact]
    public void Leading_zeros_stay_text_and_round_trip_verbatim()
    {
        var id = TradeId.FromText("0042");

        id.IsNumeric.ShouldBeFalse();
        id.ToString().ShouldBe("0042");
        id.ShouldNotBe(TradeId.FromNumber(42));
        (id != TradeId.FromNumber(42)).ShouldBeTrue();
        Should.Throw<InvalidOperationException>(() => id.Number).Message.ShouldContain("0042");
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("7", 7)]
    [InlineData("5372812345", 5_372_812_345)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Canonical_integers_become_numeric(string text, long number)
    {
        var id = TradeId.FromText(text);

        id.IsNumeric.ShouldBeTrue();
        id.Number.ShouldBe(number);
        id.ToString().ShouldBe(text);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 42")]
    [InlineData("42 ")]
    [InlineData("4_2")]
    [InlineData("1e3")]
    [InlineData("9223372036854775808")] // long.MaxValue + 1
    [InlineData("12345678901234567890")]
    [InlineData("\uFF14\uFF12")] // full-width digits
    [InlineData("\u0664\u0662")] // Arabic-Indic digits
    [InlineData("b7a3c2d1-0f6e-4c3a-9d8e-1a2b3c4d5e6f")]
    public void Anything_else_stays_text(string text)
    {
        var id = TradeId.FromText(text);

        id.IsNumeric.ShouldBeFalse();
        id.ToString().ShouldBe(text);
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => TradeId.FromNumber(-1));
        Should.Throw<ArgumentException>(() => TradeId.FromText(""));
        Should.Throw<ArgumentNullException>(() => TradeId.FromText(null!));
    }

    [Fact]
    public void Text_ids_compare_ordinally_and_case_sensitively()
    {
        TradeId.FromText("abc").ShouldBe(TradeId.FromText("abc"));
        TradeId.FromText("abc").ShouldNotBe(TradeId.FromText("ABC"));
        TradeId.FromText("abc").GetHashCode().ShouldBe(TradeId.FromText("abc").GetHashCode());
    }

    [Fact]
    public void Numeric_ids_sort_by_value_before_text_ids_which_sort_ordinally()
    {
        TradeId[] ids =
        [
            TradeId.FromText("b"), TradeId.FromNumber(10), TradeId.FromText("0042"), TradeId.FromText("9"),
            TradeId.FromText("B"), TradeId.FromNumber(100), TradeId.FromText("a"), TradeId.FromNumber(0),
        ];

        var sorted = ids.Order().Select(id => id.ToString());

        sorted.ShouldBe(["0", "9", "10", "100", "0042", "B", "a", "b"]);
    }

    [Fact]
    public void Comparison_is_consistent_with_equality()
    {
        TradeId.FromText("42").CompareTo(TradeId.FromNumber(42)).ShouldBe(0);
        TradeId.FromNumber(9).CompareTo(TradeId.FromNumber(10)).ShouldBeLessThan(0);
        TradeId.FromText("x").CompareTo(TradeId.FromNumber(long.MaxValue)).ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(5_372_812_345L)]
    [InlineData(long.MaxValue)]
    public void Numeric_ids_format_as_utf8_digits(long number)
    {
        Span<byte> buffer = stackalloc byte[32];

        TradeId.FromNumber(number).TryFormatUtf8(buffer, out var written).ShouldBeTrue();

        Encoding.UTF8.GetString(buffer[..written]).ShouldBe(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("0042")]
    [InlineData("b7a3c2d1-0f6e-4c3a-9d8e-1a2b3c4d5e6f")]
    [InlineData("trade-ä-€")]
    public void Text_ids_format_as_their_utf8_bytes(string text)
    {
        Span<byte> buffer = stackalloc byte[64];

        TradeId.FromText(text).TryFormatUtf8(buffer, out var written).ShouldBeTrue();

        buffer[..written].ToArray().ShouldBe(Encoding.UTF8.GetBytes(text));
    }

    [Fact]
    public void Formatting_into_a_short_buffer_fails_instead_of_truncating()
    {
        Span<byte> buffer = stackalloc byte[4];

        TradeId.FromNumber(12_345).TryFormatUtf8(buffer, out _).ShouldBeFalse();
        TradeId.FromText("€€").TryFormatUtf8(buffer, out _).ShouldBeFalse(); // 6 bytes
        TradeId.FromNumber(1_234).TryFormatUtf8(buffer, out var written).ShouldBeTrue();
        written.ShouldBe(4);
    }
}
