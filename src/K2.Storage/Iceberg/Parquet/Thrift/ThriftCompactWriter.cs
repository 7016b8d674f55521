using System.Buffers;
using System.Buffers.Binary;

namespace K2.Storage.Iceberg.Parquet.Thrift;

/// <summary>
/// Encodes <see cref="ThriftValue"/>s in the Thrift compact protocol the way the Apache C++ and Java libraries do
/// (short field headers whenever the id delta is 1 to 15, short list headers below 15 elements, bool elements as
/// 1 or 2), so a footer those libraries wrote re-encodes to the same bytes.
/// </summary>
internal sealed class ThriftCompactWriter(IBufferWriter<byte> output)
{
    public static byte[] Encode(ThriftStruct value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        new ThriftCompactWriter(buffer).WriteStruct(value);
        return buffer.WrittenSpan.ToArray();
    }

    public void WriteStruct(ThriftStruct value)
    {
        short lastId = 0;
        foreach (var field in value.Fields)
        {
            var type = (byte)field.Value.Type;
            var delta = field.Id - lastId;
            if (delta is > 0 and <= 15)
            {
                WriteByte((byte)((delta << 4) | type));
            }
            else
            {
                WriteByte(type);
                WriteVarint(Zigzag(field.Id));
            }

            // A bool field's value is its type code, already written.
            if (field.Value is not ThriftBool)
            {
                WriteValue(field.Value);
            }

            lastId = field.Id;
        }

        WriteByte((byte)ThriftCompactType.Stop);
    }

    private void WriteValue(ThriftValue value)
    {
        switch (value)
        {
            case ThriftBool b:
                WriteByte(b.Value ? (byte)ThriftCompactType.BooleanTrue : (byte)ThriftCompactType.BooleanFalse);
                break;
            case ThriftByte b:
                WriteByte(unchecked((byte)b.Value));
                break;
            case ThriftI16 i:
                WriteVarint(Zigzag(i.Value));
                break;
            case ThriftI32 i:
                WriteVarint(Zigzag(i.Value));
                break;
            case ThriftI64 i:
                WriteVarint(Zigzag(i.Value));
                break;
            case ThriftDouble d:
                BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), d.Bits);
                output.Advance(8);
                break;
            case ThriftBinary b:
                WriteVarint((uint)b.Value.Length);
                output.Write(b.Value);
                break;
            case ThriftList list:
                WriteList(list);
                break;
            case ThriftEncodedList encoded:
                WriteListHeader(encoded.ElementType, encoded.Count);
                output.Write(encoded.Elements.Span);
                break;
            case ThriftMap map:
                WriteMap(map);
                break;
            case ThriftStruct s:
                WriteStruct(s);
                break;
            default:
                throw new ArgumentException($"Unknown Thrift value {value.GetType().Name}.", nameof(value));
        }
    }

    private void WriteList(ThriftList list)
    {
        WriteListHeader(list.ElementType, list.Elements.Count);
        foreach (var element in list.Elements)
        {
            CheckElementType(element, list.ElementType);
            WriteValue(element);
        }
    }

    private void WriteListHeader(ThriftCompactType elementType, int count)
    {
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | (byte)elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | (byte)elementType));
            WriteVarint((uint)count);
        }
    }

    private void WriteMap(ThriftMap map)
    {
        WriteVarint((uint)map.Entries.Count);
        if (map.Entries.Count == 0)
        {
            return;
        }

        WriteByte((byte)(((byte)map.KeyType << 4) | (byte)map.ValueType));
        foreach (var (key, value) in map.Entries)
        {
            CheckElementType(key, map.KeyType);
            CheckElementType(value, map.ValueType);
            WriteValue(key);
            WriteValue(value);
        }
    }

    /// <summary>A collection declares one element type; an element of another type would make the output unreadable.</summary>
    private static void CheckElementType(ThriftValue element, ThriftCompactType declared)
    {
        var matches = element is ThriftBool
            ? declared is ThriftCompactType.BooleanTrue or ThriftCompactType.BooleanFalse
            : element.Type == declared;
        if (!matches)
        {
            throw new ArgumentException($"A Thrift collection of {declared} holds a {element.Type}.");
        }
    }

    private static ulong Zigzag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private void WriteVarint(ulong value)
    {
        var span = output.GetSpan(10);
        var length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[length++] = (byte)value;
        output.Advance(length);
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
