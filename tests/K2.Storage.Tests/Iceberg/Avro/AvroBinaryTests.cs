using FsCheck;
using FsCheck.Fluent;
using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Tests.Iceberg.Avro;

public sealed class AvroBinaryTests
{
    private static byte[] Encode(Action<AvroBinaryWriter> write)
    {
        var writer = new AvroBinaryWriter();
        write(writer);
        return writer.Written.ToArray();
    }

    private static byte[] EncodeDatum(string schemaJson, object? value) => Encode(w => AvroDatum.Write(w, AvroSchema.Parse(schemaJson), value));

    private static object? DecodeDatum(string schemaJson, byte[] bytes)
    {
        var reader = new AvroBinaryReader(bytes);
        var value = AvroDatum.Read(ref reader, AvroSchema.Parse(schemaJson));
        reader.End.ShouldBeTrue();
        return value;
    }

    [Theory]
    [InlineData(0L, new byte[] { 0x00 })]
    [InlineData(-1L, new byte[] { 0x01 })]
    [InlineData(1L, new byte[] { 0x02 })]
    [InlineData(-2L, new byte[] { 0x03 })]
    [InlineData(2L, new byte[] { 0x04 })]
    [InlineData(-64L, new byte[] { 0x7F })]
    [InlineData(64L, new byte[] { 0x80, 0x01 })]
    [InlineData(long.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    [InlineData(long.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void Longs_are_zigzag_varints_as_in_the_specification_table(long value, byte[] expected)
    {
        Encode(w => w.WriteLong(value)).ShouldBe(expected);
        new AvroBinaryReader(expected).ReadLong().ShouldBe(value);
    }

    [Fact]
    public void Strings_bytes_floats_and_doubles_have_the_specified_layout()
    {
        Encode(w => w.WriteString("foo")).ShouldBe(new byte[] { 0x06, 0x66, 0x6F, 0x6F });
        Encode(w => w.WriteBytes([0xAB])).ShouldBe(new byte[] { 0x02, 0xAB });
        Encode(w => w.WriteFloat(1.0f)).ShouldBe(BitConverter.GetBytes(1.0f));
        Encode(w => w.WriteDouble(-2.5)).ShouldBe(BitConverter.GetBytes(-2.5));
        Encode(w => w.WriteBoolean(true)).ShouldBe(new byte[] { 0x01 });
    }

    [Fact]
    public void Unions_write_the_branch_index_then_the_value()
    {
        EncodeDatum("""["null","string"]""", null).ShouldBe(new byte[] { 0x00 });
        EncodeDatum("""["null","string"]""", "a").ShouldBe(new byte[] { 0x02, 0x02, 0x61 });
        EncodeDatum("""["null","long"]""", 3).ShouldBe(new byte[] { 0x02, 0x06 }); // an int fits a long branch
    }

    [Fact]
    public void Arrays_and_maps_are_one_block_then_a_zero_count()
    {
        EncodeDatum("""{"type":"array","items":"long"}""", new List<object?> { 3L, 27L }).ShouldBe(new byte[] { 0x04, 0x06, 0x36, 0x00 });
        EncodeDatum("""{"type":"array","items":"long"}""", new List<object?>()).ShouldBe(new byte[] { 0x00 });
        EncodeDatum("""{"type":"map","values":"int"}""", new Dictionary<string, object?> { ["a"] = 1 }).ShouldBe(new byte[] { 0x02, 0x02, 0x61, 0x02, 0x00 });
    }

    [Fact]
    public void Blocks_with_a_negative_count_carry_a_byte_size_and_are_read()
    {
        // -2 items, then their byte size (2), then the items 3 and 27, then the end.
        DecodeDatum("""{"type":"array","items":"long"}""", [0x03, 0x04, 0x06, 0x36, 0x00]).ShouldBe(new List<object?> { 3L, 27L });
    }

    [Fact]
    public void Enums_and_fixed_round_trip_and_unknown_symbols_are_refused()
    {
        const string Enum = """{"type":"enum","name":"Side","symbols":["BUY","SELL"]}""";
        EncodeDatum(Enum, "SELL").ShouldBe(new byte[] { 0x02 });
        DecodeDatum(Enum, [0x02]).ShouldBe("SELL");
        Should.Throw<ArgumentException>(() => EncodeDatum(Enum, "HOLD"));
        Should.Throw<FormatException>(() => DecodeDatum(Enum, [0x04])).Message.ShouldContain("index 2");

        const string Fixed = """{"type":"fixed","name":"Id","size":2}""";
        EncodeDatum(Fixed, new byte[] { 1, 2 }).ShouldBe(new byte[] { 1, 2 });
        Should.Throw<ArgumentException>(() => EncodeDatum(Fixed, new byte[] { 1 }));
    }

    [Fact]
    public void A_value_that_does_not_fit_the_schema_names_its_path()
    {
        var schema = (AvroRecordSchema)AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}""");
        var record = new AvroRecord(schema) { ["x"] = "not an int" };

        Should.Throw<ArgumentException>(() => AvroDatum.Write(new AvroBinaryWriter(), schema, record)).Message.ShouldContain("$.x");
    }

    [Fact]
    public void Truncated_values_throw_FormatException_at_every_cut()
    {
        var bytes = EncodeDatum("""{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"d","type":"double"}]}""",
            new AvroRecord((AvroRecordSchema)AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"d","type":"double"}]}""")) { ["s"] = "hello", ["d"] = 1.5 });

        for (var length = 0; length < bytes.Length; length++)
        {
            Should.Throw<FormatException>(() => DecodeDatum("""{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"d","type":"double"}]}""", bytes[..length]));
        }
    }

    [Fact]
    public void Corrupt_primitives_are_refused_with_a_reason()
    {
        Should.Throw<FormatException>(() => new AvroBinaryReader([0x02]).ReadBoolean()).Message.ShouldContain("only 0 and 1");
        Should.Throw<FormatException>(() => new AvroBinaryReader([0x80, 0x80, 0x80, 0x80, 0x20]).ReadInt()).Message.ShouldContain("32-bit");
        Should.Throw<FormatException>(() => new AvroBinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]).ReadLong()).Message.ShouldContain("overflows");
        Should.Throw<FormatException>(() => new AvroBinaryReader([0x01]).ReadString()).Message.ShouldContain("length -1");
        Should.Throw<FormatException>(() => new AvroBinaryReader([0x04, 0xC3, 0x28]).ReadString()).Message.ShouldContain("UTF-8");
        Should.Throw<FormatException>(() => DecodeDatum("""["null","int"]""", [0x04])).Message.ShouldContain("branch 2");
    }

    [Fact]
    public void An_array_count_the_remaining_bytes_cannot_hold_is_refused_before_reading_items()
    {
        // A count of 2^40 longs with three bytes left.
        var bytes = Encode(w => w.WriteLong(1L << 40));

        Should.Throw<FormatException>(() => DecodeDatum("""{"type":"array","items":"long"}""", bytes)).Message.ShouldContain("items");
        Should.Throw<FormatException>(() => DecodeDatum("""{"type":"array","items":"null"}""", bytes)).Message.ShouldContain("items");
    }

    [Fact]
    public void A_self_referencing_schema_cannot_recurse_without_bound()
    {
        const string Loop = """{"type":"record","name":"Loop","fields":[{"name":"next","type":"Loop"}]}""";

        Should.Throw<FormatException>(() => DecodeDatum(Loop, [])).Message.ShouldContain("deeper");
    }

    [Fact]
    public void Any_long_int_double_and_valid_string_round_trips()
    {
        Prop.ForAll<long, int, double>((l, i, d) =>
        {
            var bytes = Encode(w =>
            {
                w.WriteLong(l);
                w.WriteInt(i);
                w.WriteDouble(d);
            });
            var reader = new AvroBinaryReader(bytes);
            return reader.ReadLong() == l && reader.ReadInt() == i && reader.ReadDouble().Equals(d) && reader.End;
        }).QuickCheckThrowOnFailure();
        Prop.ForAll<string>(s =>
        {
            var text = s ?? "";
            var reader = new AvroBinaryReader(Encode(w => w.WriteString(text)));
            return reader.ReadString() == text && reader.End;
        }).QuickCheckThrowOnFailure();
    }
}
