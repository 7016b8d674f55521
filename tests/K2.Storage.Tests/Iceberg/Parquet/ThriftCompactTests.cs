using K2.Storage.Iceberg.Parquet.Thrift;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// The compact protocol byte by byte (apache/thrift doc/specs/thrift-compact-protocol.md): each case is hand-encoded
/// from the spec, decodes to the stated value and encodes back to the same bytes; broken input fails clearly.
/// </summary>
public sealed class ThriftCompactTests
{
    private static ThriftStruct Struct(params (short Id, ThriftValue Value)[] fields) =>
        new([.. fields.Select(f => new ThriftField(f.Id, f.Value))]);

    private static readonly Dictionary<string, (byte[] Bytes, ThriftStruct Value)> Cases = new()
    {
        ["i32 field 1, short header"] = ([0x15, 0x02, 0x00], Struct((1, new ThriftI32(1)))),
        ["negative i32 zigzags"] = ([0x15, 0x03, 0x00], Struct((1, new ThriftI32(-2)))),
        ["i32 extremes"] = ([0x15, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00], Struct((1, new ThriftI32(int.MaxValue)), (2, new ThriftI32(int.MinValue)))),
        ["i64 min"] = ([0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00], Struct((1, new ThriftI64(long.MinValue)))),
        ["delta over 15 takes the long header"] = ([0x15, 0x02, 0x06, 0x28, 0x01, 0x00], Struct((1, new ThriftI32(1)), (20, new ThriftI64(-1)))),
        ["descending id takes the long header"] = ([0x55, 0x00, 0x05, 0x04, 0x00, 0x00], Struct((5, new ThriftI32(0)), (2, new ThriftI32(0)))),
        ["negative id"] = ([0x05, 0x01, 0x00, 0x00], Struct((-1, new ThriftI32(0)))),
        ["bools live in the type nibble"] = ([0x11, 0x12, 0x00], Struct((1, new ThriftBool(true)), (2, new ThriftBool(false)))),
        ["byte and i16"] = ([0x13, 0xFF, 0x14, 0xFF, 0xFF, 0x03, 0x00], Struct((1, new ThriftByte(-1)), (2, new ThriftI16(short.MinValue)))),
        ["double little-endian"] = ([0x17, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x00], Struct((1, new ThriftDouble(BitConverter.DoubleToInt64Bits(1.0))))),
        ["NaN payload kept"] = ([0x17, 1, 0, 0, 0, 0, 0, 0xF8, 0x7F, 0x00], Struct((1, new ThriftDouble(0x7FF8000000000001)))),
        ["binary"] = ([0x48, 0x02, (byte)'a', (byte)'b', 0x00], Struct((4, new ThriftBinary("ab"u8.ToArray())))),
        ["empty binary"] = ([0x18, 0x00, 0x00], Struct((1, new ThriftBinary([])))),
        ["list of i32"] = ([0x19, 0x35, 0x02, 0x04, 0x06, 0x00], Struct((1, new ThriftList(ThriftCompactType.I32, [new ThriftI32(1), new ThriftI32(2), new ThriftI32(3)], false)))),
        ["empty list keeps its element type"] = ([0x19, 0x0C, 0x00], Struct((1, new ThriftList(ThriftCompactType.Struct, [], false)))),
        ["15 elements take the long list header"] = ([0x19, 0xF3, 0x0F, .. Enumerable.Repeat((byte)7, 15), 0x00], Struct((1, new ThriftList(ThriftCompactType.Byte, [.. Enumerable.Repeat<ThriftValue>(new ThriftByte(7), 15)], false)))),
        ["set"] = ([0x1A, 0x18, 0x01, (byte)'x', 0x00], Struct((1, new ThriftList(ThriftCompactType.Binary, [new ThriftBinary("x"u8.ToArray())], true)))),
        ["bool list elements are 1 and 2"] = ([0x19, 0x21, 0x01, 0x02, 0x00], Struct((1, new ThriftList(ThriftCompactType.BooleanTrue, [new ThriftBool(true), new ThriftBool(false)], false)))),
        ["map"] = ([0x1B, 0x01, 0x58, 0x02, 0x01, (byte)'a', 0x00], Struct((1, new ThriftMap(ThriftCompactType.I32, ThriftCompactType.Binary, [new(new ThriftI32(1), new ThriftBinary("a"u8.ToArray()))])))),
        ["empty map is one byte"] = ([0x1B, 0x00, 0x00], Struct((1, new ThriftMap(ThriftCompactType.Stop, ThriftCompactType.Stop, [])))),
        ["nested struct restarts field deltas"] = ([0x1C, 0x15, 0x00, 0x00, 0x15, 0x02, 0x00], Struct((1, Struct((1, new ThriftI32(0)))), (2, new ThriftI32(1)))),
        ["list of structs"] = ([0x19, 0x2C, 0x15, 0x02, 0x00, 0x00, 0x00], Struct((1, new ThriftList(ThriftCompactType.Struct, [Struct((1, new ThriftI32(1))), Struct()], false)))),
        ["empty struct"] = ([0x00], Struct()),
    };

    public static TheoryData<string> Encodings => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Decodes_and_encodes_the_spec_bytes(string description)
    {
        var (bytes, expected) = Cases[description];
        var decoded = ThriftCompactReader.ReadWholeStruct(bytes);

        Show(decoded).ShouldBe(Show(expected), description);
        ThriftCompactWriter.Encode(expected).ShouldBe(bytes, description);
        ThriftCompactWriter.Encode(decoded).ShouldBe(bytes, description);
    }

    [Fact]
    public void Field_inserted_mid_struct_gets_fresh_deltas_for_the_fields_after_it()
    {
        // A SchemaElement-like struct: 4 name, 5 num_children, 10 logicalType. Splicing a short header for 9 between
        // 5 and 10 would leave 10's delta (5) pointing at 14; re-encoding recomputes every delta.
        var element = Struct((4, new ThriftBinary("x"u8.ToArray())), (5, new ThriftI32(1)), (10, Struct((1, Struct()))));

        element.Set(9, new ThriftI32(42));
        var decoded = ThriftCompactReader.ReadWholeStruct(ThriftCompactWriter.Encode(element));

        decoded.Fields.Select(f => f.Id).ShouldBe([(short)4, (short)5, (short)9, (short)10]);
        decoded.Required<ThriftI32>(9, "field_id").Value.ShouldBe(42);
        decoded.Required<ThriftStruct>(10, "logicalType").Fields.Single().Id.ShouldBe((short)1);
    }

    [Fact]
    public void Long_header_where_a_short_one_fits_decodes_to_the_same_field()
    {
        var decoded = ThriftCompactReader.ReadWholeStruct([0x05, 0x02, 0x02, 0x00]);

        decoded.Required<ThriftI32>(1, "field").Value.ShouldBe(1);
        // Re-encoded the way the Apache libraries write it.
        ThriftCompactWriter.Encode(decoded).ShouldBe([0x15, 0x02, 0x00]);
    }

    [Fact]
    public void Every_truncation_of_a_valid_encoding_fails_with_a_format_exception()
    {
        foreach (var (bytes, _) in Cases.Values)
        {
            for (var length = 0; length < bytes.Length; length++)
            {
                Should.Throw<FormatException>(() => ThriftCompactReader.ReadWholeStruct(bytes.AsSpan(0, length)));
            }
        }
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "unknown type code", [0x1D, 0x00], "type code 13" },
        { "unknown element type", [0x19, 0x1E, 0x00], "element type code 14" },
        { "bool element neither 1 nor 2", [0x19, 0x11, 0x07, 0x00], "bool element" },
        { "varint past 10 bytes", [0x16, .. Enumerable.Repeat((byte)0xFF, 11), 0x00], "varint" },
        { "i32 out of range", [0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00], "i32" },
        { "list longer than the data", [0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00], "claims" },
        { "binary longer than the data", [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x07], "claims" },
        { "map longer than the data", [0x1B, 0x10, 0x55, 0x00], "claims" },
        { "bytes after the struct", [0x00, 0x00], "more bytes follow" },
        { "nesting bomb", [.. Enumerable.Repeat((byte)0x1C, 100), .. Enumerable.Repeat((byte)0x00, 101)], "deeper than" },
        { "list nesting bomb", [0x19, .. Enumerable.Repeat((byte)0x19, 100)], "deeper than" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_names_what_is_wrong(string description, byte[] bytes, string message)
    {
        var error = Should.Throw<FormatException>(() => ThriftCompactReader.ReadWholeStruct(bytes), description);

        error.Message.ShouldContain(message, Case.Insensitive);
    }

    /// <summary>A readable rendering for comparisons: records with lists compare by reference.</summary>
    internal static string Show(ThriftValue value) =>
        value switch
        {
            ThriftStruct s => "{" + string.Join(",", s.Fields.Select(f => $"{f.Id}:{Show(f.Value)}")) + "}",
            ThriftList l => $"{(l.IsSet ? "set" : "list")}<{l.ElementType}>[" + string.Join(",", l.Elements.Select(Show)) + "]",
            ThriftMap m => "map[" + string.Join(",", m.Entries.Select(e => $"{Show(e.Key)}=>{Show(e.Value)}")) + "]",
            ThriftBinary b => "0x" + Convert.ToHexString(b.Value),
            _ => value.ToString(),
        };
}
