using System.Globalization;
using System.Text;
using K2.Core;
using K2.Storage.ClickHouse.RowBinary;
using static K2.Storage.Tests.ClickHouse.RowBinary.RowBinaryCodec;

namespace K2.Storage.Tests.ClickHouse.RowBinary;

public sealed class RowBinaryRoundTripTests
{
    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(127UL, 1)]
    [InlineData(128UL, 2)]
    [InlineData(16_383UL, 2)]
    [InlineData(16_384UL, 3)]
    [InlineData(2_097_151UL, 3)]
    [InlineData(2_097_152UL, 4)]
    [InlineData((ulong)int.MaxValue, 5)]
    [InlineData((ulong)long.MaxValue, 9)]
    [InlineData(ulong.MaxValue, 10)]
    public void VarUInt_round_trips_with_the_expected_length(ulong value, int length)
    {
        var bytes = Encode(w => w.WriteVarUInt(value));

        bytes.Length.ShouldBe(length);
        var reader = new RowBinaryReader(bytes);
        reader.ReadVarUInt().ShouldBe(value);
        reader.End.ShouldBeTrue();
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(127, 1)]
    [InlineData(128, 2)]
    [InlineData(16_383, 2)]
    [InlineData(16_384, 3)]
    [InlineData(1 << 20, 3)]
    public void Strings_round_trip_at_length_prefix_boundaries(int byteLength, int prefixLength)
    {
        var value = new string('k', byteLength);

        var bytes = Encode(w => w.WriteString(value));

        bytes.Length.ShouldBe(prefixLength + byteLength);
        var reader = new RowBinaryReader(bytes);
        reader.ReadString().ShouldBe(value);
        reader.End.ShouldBeTrue();
    }

    [Theory]
    [InlineData("ünïcødé")]
    [InlineData("比特币")]
    [InlineData("🚀 BTC")] // a surrogate pair: four UTF-8 bytes
    [InlineData("tab\tnew\nline\0nul")]
    public void Multi_byte_and_control_characters_round_trip(string value)
    {
        var bytes = Encode(w => w.WriteString(value));

        bytes[0].ShouldBe((byte)Encoding.UTF8.GetByteCount(value));
        new RowBinaryReader(bytes).ReadString().ShouldBe(value);
    }

    [Fact]
    public void A_multi_byte_string_at_the_128_byte_boundary_counts_bytes_not_characters()
    {
        var value = new string('é', 64); // 64 characters, 128 bytes

        var bytes = Encode(w => w.WriteString(value));

        bytes[..2].ShouldBe([0x80, 0x01]);
        new RowBinaryReader(bytes).ReadString().ShouldBe(value);
    }

    [Fact]
    public void Raw_bytes_round_trip_without_decoding()
    {
        byte[] raw = [0xFF, 0x00, 0xC3];

        var bytes = Encode(w => w.WriteString(raw.AsSpan()));

        new RowBinaryReader(bytes).ReadStringBytes().ToArray().ShouldBe(raw);
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MinValue + 1)]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(long.MaxValue)]
    public void Int64_and_DateTime64_round_trip(long value)
    {
        var bytes = Encode(w =>
        {
            w.WriteInt64(value);
            w.WriteDateTime64Micros(new UnixMicros(value));
        });

        var reader = new RowBinaryReader(bytes);
        reader.ReadInt64().ShouldBe(value);
        reader.ReadDateTime64Micros().ShouldBe(new UnixMicros(value));
        reader.End.ShouldBeTrue();
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    public void UInt64_round_trips(ulong value)
    {
        new RowBinaryReader(Encode(w => w.WriteUInt64(value))).ReadUInt64().ShouldBe(value);
    }

    [Theory]
    [InlineData((sbyte)1)]
    [InlineData((sbyte)2)]
    [InlineData(sbyte.MinValue)]
    [InlineData(sbyte.MaxValue)]
    [InlineData((sbyte)-1)]
    public void Enum8_round_trips(sbyte value)
    {
        new RowBinaryReader(Encode(w => w.WriteEnum8(value))).ReadEnum8().ShouldBe(value);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("9223372036854775807", 0)]
    [InlineData("-9223372036854775808", 0)]
    [InlineData("0.00000001", 8)]
    [InlineData("-0.00000001", 8)]
    [InlineData("87012.34000000", 8)]
    [InlineData("9999999999.99999999", 8)] // Decimal(18, 8)'s largest value
    [InlineData("-9999999999.99999999", 8)]
    [InlineData("92233720368.54775807", 8)] // the Int64 extremes at scale 8
    [InlineData("-92233720368.54775808", 8)]
    [InlineData("0.000000000000000001", 18)]
    [InlineData("9.223372036854775807", 18)]
    [InlineData("-9.223372036854775808", 18)]
    public void Decimal64_round_trips_at_its_scale(string text, int scale)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);

        var read = new RowBinaryReader(Encode(w => w.WriteDecimal64(value, scale))).ReadDecimal64(scale);

        read.ShouldBe(value);
        read.Scale.ShouldBe((byte)scale);
        read.ToString(CultureInfo.InvariantCulture).ShouldBe(text);
    }

    [Theory]
    [InlineData("1.5", 8, "1.50000000")]
    [InlineData("100", 8, "100.00000000")]
    [InlineData("4.00000100", 8, "4.00000100")]
    [InlineData("1.000", 0, "1")]
    [InlineData("-92233720368.5477580", 8, "-92233720368.54775800")] // fewer decimals than the column, near Int64's end
    public void Decimal64_reads_back_with_the_column_scale(string text, int scale, string expected)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);

        var read = new RowBinaryReader(Encode(w => w.WriteDecimal64(value, scale))).ReadDecimal64(scale);

        read.ToString(CultureInfo.InvariantCulture).ShouldBe(expected);
    }

    [Theory]
    [InlineData("0.000000001", 8)] // a ninth decimal
    [InlineData("87012.123456785", 8)]
    [InlineData("0.5", 0)]
    [InlineData("0.0000000000000000001", 18)]
    [InlineData("92233720368.54775808", 8)] // one past Int64 at scale 8
    [InlineData("-92233720368.54775809", 8)]
    [InlineData("9223372036854775808", 0)]
    [InlineData("9.223372036854775808", 18)]
    [InlineData("92233720368.5477581", 8)] // fewer decimals than the column: past Int64 only once scaled
    [InlineData("-92233720368.5477581", 8)]
    [InlineData("18446744073709551615", 18)] // scaling overflows 128 bits
    public void WriteDecimal64_refuses_values_that_do_not_fit_exactly_and_writes_nothing(string text, int scale)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new RowBinaryWriter(buffer);

        Should.Throw<ArgumentOutOfRangeException>(() => writer.WriteDecimal64(value, scale));

        buffer.WrittenCount.ShouldBe(0);
    }

    [Fact]
    public void Values_beyond_decimal_arithmetic_are_refused_and_write_nothing()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new RowBinaryWriter(buffer);

        // Scaling decimal.MaxValue overflows decimal itself, before the Int64 range check; it is refused the same way.
        Should.Throw<ArgumentOutOfRangeException>(() => writer.WriteDecimal64(decimal.MaxValue, 18));

        buffer.WrittenCount.ShouldBe(0);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(19)]
    public void Decimal64_scales_outside_0_to_18_are_refused(int scale)
    {
        var writer = new RowBinaryWriter(new System.Buffers.ArrayBufferWriter<byte>());

        Should.Throw<ArgumentOutOfRangeException>(() => writer.WriteDecimal64(1m, scale));
        Should.Throw<ArgumentOutOfRangeException>(() => new RowBinaryReader(new byte[8]).ReadDecimal64(scale));
    }

    [Fact]
    public void A_row_of_every_type_reads_back_in_order()
    {
        var bytes = Encode(w =>
        {
            w.WriteString("binance");
            w.WriteDecimal64(87012.34m, 8);
            w.WriteEnum8(2);
            w.WriteDateTime64Micros(new UnixMicros(1_795_342_500_123_456));
            w.WriteUInt64(42);
            w.WriteUInt8(9);
            w.WriteString("");
        });

        var reader = new RowBinaryReader(bytes);
        reader.ReadString().ShouldBe("binance");
        reader.ReadDecimal64(8).ShouldBe(87012.34m);
        reader.ReadEnum8().ShouldBe((sbyte)2);
        reader.ReadDateTime64Micros().ShouldBe(new UnixMicros(1_795_342_500_123_456));
        reader.ReadUInt64().ShouldBe(42UL);
        reader.ReadUInt8().ShouldBe((byte)9);
        reader.Position.ShouldBe(bytes.Length - 1);
        reader.ReadString().ShouldBe("");
        reader.End.ShouldBeTrue();
    }
}
