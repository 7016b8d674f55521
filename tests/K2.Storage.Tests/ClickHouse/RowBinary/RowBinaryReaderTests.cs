using K2.Storage.ClickHouse.RowBinary;
using static K2.Storage.Tests.ClickHouse.RowBinary.RowBinaryCodec;

namespace K2.Storage.Tests.ClickHouse.RowBinary;

public sealed class RowBinaryReaderTests
{
    private delegate void Read(ref RowBinaryReader reader);

    private static void ShouldRejectTruncated(byte[] data, Read read)
    {
        Should.Throw<FormatException>(() =>
        {
            var reader = new RowBinaryReader(data);
            read(ref reader);
        });
    }

    [Fact]
    public void Reading_past_the_end_of_fixed_width_values_throws_FormatException()
    {
        ShouldRejectTruncated([], static (ref RowBinaryReader r) => r.ReadUInt8());
        ShouldRejectTruncated(new byte[7], static (ref RowBinaryReader r) => r.ReadInt64());
        ShouldRejectTruncated(new byte[7], static (ref RowBinaryReader r) => r.ReadUInt64());
        ShouldRejectTruncated(new byte[3], static (ref RowBinaryReader r) => r.ReadUInt32());
        ShouldRejectTruncated(new byte[7], static (ref RowBinaryReader r) => r.ReadDecimal64(8));
        ShouldRejectTruncated(new byte[7], static (ref RowBinaryReader r) => r.ReadDateTime64Micros());
        ShouldRejectTruncated([], static (ref RowBinaryReader r) => r.ReadEnum8());
    }

    [Fact]
    public void Every_truncation_of_an_encoded_string_throws_FormatException()
    {
        var bytes = Encode(w => w.WriteString(new string('s', 200))); // two-byte length, then 200 bytes

        for (var length = 0; length < bytes.Length; length++)
        {
            ShouldRejectTruncated(bytes[..length], static (ref RowBinaryReader r) => r.ReadString());
        }
    }

    [Fact]
    public void A_length_whose_continuation_byte_is_missing_throws_FormatException()
    {
        ShouldRejectTruncated([0x80], static (ref RowBinaryReader r) => r.ReadVarUInt());
        ShouldRejectTruncated([0xFF, 0xFF], static (ref RowBinaryReader r) => r.ReadStringBytes());
    }

    [Fact]
    public void A_LEB128_value_longer_than_ten_bytes_throws_FormatException()
    {
        ShouldRejectTruncated([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], static (ref RowBinaryReader r) => r.ReadVarUInt());
    }

    [Fact]
    public void A_tenth_LEB128_byte_with_more_than_bit_63_throws_FormatException()
    {
        byte[] maxValue = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        byte[] overflow = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];

        new RowBinaryReader(maxValue).ReadVarUInt().ShouldBe(ulong.MaxValue);
        Should.Throw<FormatException>(() => new RowBinaryReader(overflow).ReadVarUInt()).Message.ShouldContain("overflows 64 bits");
    }

    [Fact]
    public void A_string_length_beyond_int_range_throws_FormatException()
    {
        var bytes = Encode(w => w.WriteVarUInt((ulong)int.MaxValue + 1));

        var error = Should.Throw<FormatException>(() => new RowBinaryReader(bytes).ReadStringBytes());

        error.Message.ShouldContain("implausible");
    }

    [Fact]
    public void The_error_names_where_the_data_ran_out()
    {
        var error = Should.Throw<FormatException>(() =>
        {
            var reader = new RowBinaryReader(new byte[10]);
            reader.ReadInt64();
            reader.ReadInt64();
        });

        error.Message.ShouldBe("RowBinary data ends at byte 10; needed 8 more from byte 8.");
    }

    [Fact]
    public void A_failed_read_leaves_the_position_where_it_was()
    {
        var reader = new RowBinaryReader(new byte[12]);
        reader.ReadInt64();

        try
        {
            reader.ReadInt64();
        }
        catch (FormatException)
        {
            // expected
        }

        reader.Position.ShouldBe(8);
        reader.ReadUInt32().ShouldBe(0u);
        reader.End.ShouldBeTrue();
    }
}
