using System.Numerics;
using K2.Storage.Iceberg.Manifests;

namespace K2.Storage.Tests.Iceberg.Manifests;

public sealed class SingleValueTests
{
    [Fact]
    public void Ints_and_dates_are_four_bytes_little_endian()
    {
        SingleValue.FromInt(1).ShouldBe(new byte[] { 1, 0, 0, 0 });
        SingleValue.FromInt(-2).ShouldBe(new byte[] { 0xFE, 0xFF, 0xFF, 0xFF });
        SingleValue.FromDate(20_513).ShouldBe(new byte[] { 0x21, 0x50, 0, 0 });
        SingleValue.ToInt(SingleValue.FromDate(-1)).ShouldBe(-1);
    }

    [Fact]
    public void Longs_and_timestamps_are_eight_bytes_little_endian()
    {
        SingleValue.FromLong(0x0102030405060708).ShouldBe(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 });
        SingleValue.ToLong(SingleValue.FromTimestampMicros(1_772_323_200_000_000)).ShouldBe(1_772_323_200_000_000);
        Should.Throw<FormatException>(() => SingleValue.ToLong(new byte[4]));
    }

    [Fact]
    public void Strings_are_UTF8_without_length_and_binary_is_itself()
    {
        SingleValue.FromString("Bé").ShouldBe(new byte[] { 0x42, 0xC3, 0xA9 });
        SingleValue.ToUtf8String(SingleValue.FromString("比特币")).ShouldBe("比特币");
        SingleValue.FromBinary([1, 2]).ShouldBe(new byte[] { 1, 2 });
    }

    [Theory]
    [InlineData("0", 0, new byte[] { 0x00 })]
    [InlineData("1", 0, new byte[] { 0x01 })]
    [InlineData("-1", 0, new byte[] { 0xFF })]
    [InlineData("127", 0, new byte[] { 0x7F })]
    [InlineData("128", 0, new byte[] { 0x00, 0x80 })]
    [InlineData("-128", 0, new byte[] { 0x80 })]
    [InlineData("-129", 0, new byte[] { 0xFF, 0x7F })]
    [InlineData("1.5", 8, new byte[] { 0x08, 0xF0, 0xD1, 0x80 })] // 150_000_000
    [InlineData("-0.00000001", 8, new byte[] { 0xFF })]
    [InlineData("99999999999.99999999", 8, new byte[] { 0x00, 0x8A, 0xC7, 0x23, 0x04, 0x89, 0xE7, 0xFF, 0xFF })] // 10^19 - 1: positive, so a leading zero byte
    public void Decimals_are_minimal_twos_complement_big_endian_unscaled_values(string value, int scale, byte[] expected)
    {
        var number = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        SingleValue.FromDecimal(number, scale).ShouldBe(expected);
        SingleValue.ToUnscaledDecimal(expected).ShouldBe(new BigInteger(number * (decimal)Math.Pow(10, scale)));
    }

    [Fact]
    public void A_decimal_with_more_digits_than_its_scale_is_refused()
    {
        Should.Throw<ArgumentException>(() => SingleValue.FromDecimal(0.123m, 2));
    }
}
