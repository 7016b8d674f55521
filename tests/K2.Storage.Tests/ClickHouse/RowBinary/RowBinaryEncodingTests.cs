using K2.Core;
using static K2.Storage.Tests.ClickHouse.RowBinary.RowBinaryCodec;

namespace K2.Storage.Tests.ClickHouse.RowBinary;

/// <summary>
/// Exact bytes, worked out by hand from the format description (https://clickhouse.com/docs/interfaces/formats/RowBinary):
/// integers little-endian two's complement; strings as an unsigned LEB128 length and the UTF-8 bytes; Decimal64 as the
/// Int64 value times 10^scale; DateTime64(6) as Int64 microseconds; Enum8 as its Int8 value.
/// </summary>
public sealed class RowBinaryEncodingTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(127UL, new byte[] { 0x7F })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(300UL, new byte[] { 0xAC, 0x02 })] // 300 = 0b10_0101100: low seven bits 0x2C with the high bit, then 2
    [InlineData(16_383UL, new byte[] { 0xFF, 0x7F })]
    [InlineData(16_384UL, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void VarUInt_is_unsigned_LEB128(ulong value, byte[] expected)
    {
        Encode(w => w.WriteVarUInt(value)).ShouldBe(expected);
    }

    [Theory]
    [InlineData(0L, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(1L, new byte[] { 1, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(-1L, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(0x0102030405060708L, new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 })]
    [InlineData(long.MinValue, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x80 })]
    [InlineData(long.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F })]
    public void Int64_is_little_endian(long value, byte[] expected)
    {
        Encode(w => w.WriteInt64(value)).ShouldBe(expected);
    }

    [Fact]
    public void UInt64_UInt8_and_Enum8_are_their_raw_bytes()
    {
        Encode(w => w.WriteUInt64(ulong.MaxValue)).ShouldBe([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        Encode(w => w.WriteUInt64(0x0A0B)).ShouldBe([0x0B, 0x0A, 0, 0, 0, 0, 0, 0]);
        Encode(w => w.WriteUInt8(0xAB)).ShouldBe([0xAB]);
        Encode(w => w.WriteEnum8(2)).ShouldBe([0x02]);
        Encode(w => w.WriteEnum8(-128)).ShouldBe([0x80]);
    }

    [Theory]
    [InlineData("", new byte[] { 0x00 })]
    [InlineData("abc", new byte[] { 0x03, 0x61, 0x62, 0x63 })]
    [InlineData("€", new byte[] { 0x03, 0xE2, 0x82, 0xAC })] // one character, three bytes: the length counts bytes
    [InlineData("ü1", new byte[] { 0x03, 0xC3, 0xBC, 0x31 })]
    public void A_string_is_its_byte_length_then_its_UTF8(string value, byte[] expected)
    {
        Encode(w => w.WriteString(value)).ShouldBe(expected);
        Encode(w => w.WriteString(System.Text.Encoding.UTF8.GetBytes(value).AsSpan())).ShouldBe(expected);
    }

    [Fact]
    public void A_string_of_128_bytes_has_a_two_byte_length()
    {
        var bytes = Encode(w => w.WriteString(new string('a', 128)));

        bytes.Length.ShouldBe(130);
        bytes[..2].ShouldBe([0x80, 0x01]);
        bytes[2..].ShouldAllBe(b => b == (byte)'a');
    }

    [Theory]
    [InlineData("1.5", 8, new byte[] { 0x80, 0xD1, 0xF0, 0x08, 0, 0, 0, 0 })] // 150_000_000 = 0x08F0D180
    [InlineData("-0.00000001", 8, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })] // -1
    [InlineData("87012.34", 8, new byte[] { 0x80, 0x30, 0xF6, 0xE9, 0xE9, 0x07, 0, 0 })] // 8_701_234_000_000 = 0x07E9_E9F6_3080
    [InlineData("42", 0, new byte[] { 42, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("0.000000000000000001", 18, new byte[] { 1, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("-9.223372036854775808", 18, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x80 })] // long.MinValue
    public void Decimal64_is_the_value_scaled_to_an_Int64(string value, int scale, byte[] expected)
    {
        var number = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Encode(w => w.WriteDecimal64(number, scale)).ShouldBe(expected);
    }

    [Fact]
    public void DateTime64_micros_is_the_Int64_count()
    {
        // 2026-11-22T10:15:00.123456Z = 1_795_342_500_123_456 µs = 0x0006_60DA_BFF8_5340.
        Encode(w => w.WriteDateTime64Micros(new UnixMicros(1_795_342_500_123_456)))
            .ShouldBe([0x40, 0x53, 0xF8, 0xBF, 0xDA, 0x60, 0x06, 0x00]);
        Encode(w => w.WriteDateTime64Micros(new UnixMicros(-1))).ShouldBe([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    }

    [Fact]
    public void Values_follow_each_other_without_separators()
    {
        var bytes = Encode(w =>
        {
            w.WriteString("ab");
            w.WriteEnum8(1);
            w.WriteString("");
            w.WriteUInt8(7);
        });

        bytes.ShouldBe([0x02, 0x61, 0x62, 0x01, 0x00, 0x07]);
    }
}
