using System.Buffers.Binary;

namespace K2.Storage.Iceberg.Parquet.Thrift;

/// <summary>
/// Decodes the Thrift compact protocol into <see cref="ThriftValue"/>s without a schema. Every length and count is
/// checked against the bytes left and nesting is bounded, so any input ends in a value or a
/// <see cref="FormatException"/> that names the byte offset: never a hang, a huge allocation or a stack overflow.
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data)
{
    /// <summary>Far deeper than any Parquet footer (FileMetaData nests about six levels).</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private int _depth;

    /// <summary>Reads one struct that must fill <paramref name="data"/> exactly.</summary>
    public static ThriftStruct ReadWholeStruct(ReadOnlySpan<byte> data)
    {
        var reader = new ThriftCompactReader(data);
        var value = reader.ReadStruct();
        if (reader._position != data.Length)
        {
            throw new FormatException($"Thrift struct ends at byte {reader._position} but {data.Length - reader._position} more bytes follow it.");
        }

        return value;
    }

    public ThriftStruct ReadStruct()
    {
        Enter();
        var result = new ThriftStruct();
        short lastId = 0;
        while (true)
        {
            var start = _position;
            var header = ReadByte();
            if (header == 0)
            {
                break;
            }

            var type = (ThriftCompactType)(header & 0x0F);
            var delta = header >> 4;
            var id = delta != 0 ? (short)(lastId + delta) : ReadI16();
            ThriftValue value = type switch
            {
                ThriftCompactType.BooleanTrue => new ThriftBool(true),
                ThriftCompactType.BooleanFalse => new ThriftBool(false),
                _ => ReadValue(type, start),
            };
            result.Fields.Add(new ThriftField(id, value));
            lastId = id;
        }

        _depth--;
        return result;
    }

    private ThriftValue ReadValue(ThriftCompactType type, int start) =>
        type switch
        {
            ThriftCompactType.BooleanTrue or ThriftCompactType.BooleanFalse => ReadBoolElement(),
            ThriftCompactType.Byte => new ThriftByte(unchecked((sbyte)ReadByte())),
            ThriftCompactType.I16 => new ThriftI16(ReadI16()),
            ThriftCompactType.I32 => new ThriftI32(ReadI32()),
            ThriftCompactType.I64 => new ThriftI64(ReadI64()),
            ThriftCompactType.Double => new ThriftDouble(BinaryPrimitives.ReadInt64LittleEndian(Take(8))),
            ThriftCompactType.Binary => new ThriftBinary(Take(ReadLength("binary")).ToArray()),
            ThriftCompactType.List or ThriftCompactType.Set => ReadList(type == ThriftCompactType.Set),
            ThriftCompactType.Map => ReadMap(),
            ThriftCompactType.Struct => ReadStruct(),
            _ => throw new FormatException($"Thrift type code {(byte)type} at byte {start} is not a compact protocol type."),
        };

    /// <summary>
    /// Bools inside lists and maps are one byte. The spec text says 1 true and 0 false; the C++ and Java libraries
    /// write 1 and 2 and read anything but 1 as false. Only 0, 1 and 2 are accepted.
    /// </summary>
    private ThriftBool ReadBoolElement()
    {
        var start = _position;
        return ReadByte() switch
        {
            1 => new ThriftBool(true),
            0 or 2 => new ThriftBool(false),
            var other => throw new FormatException($"Thrift bool element at byte {start} is {other}, expected 1 (true) or 2 (false)."),
        };
    }

    private ThriftList ReadList(bool isSet)
    {
        Enter();
        var header = ReadByte();
        var elementType = ElementType((byte)(header & 0x0F), _position - 1);
        var count = header >> 4;
        if (count == 15)
        {
            count = ReadLength(isSet ? "set" : "list");
        }
        else if (count > _data.Length - _position)
        {
            throw new FormatException($"Thrift {(isSet ? "set" : "list")} at byte {_position - 1} claims {count} elements but only {_data.Length - _position} bytes remain.");
        }

        var elements = new List<ThriftValue>(count);
        for (var i = 0; i < count; i++)
        {
            elements.Add(ReadValue(elementType, _position));
        }

        _depth--;
        return new ThriftList(elementType, elements, isSet);
    }

    private ThriftMap ReadMap()
    {
        Enter();
        var start = _position;
        var count = ReadLength("map");
        if (count == 0)
        {
            _depth--;
            return new ThriftMap(ThriftCompactType.Stop, ThriftCompactType.Stop, []);
        }

        // Every key and value takes at least one byte.
        if (count > (_data.Length - _position) / 2)
        {
            throw new FormatException($"Thrift map at byte {start} claims {count} entries but only {_data.Length - _position} bytes remain.");
        }

        var types = ReadByte();
        var keyType = ElementType((byte)(types >> 4), _position - 1);
        var valueType = ElementType((byte)(types & 0x0F), _position - 1);
        var entries = new List<KeyValuePair<ThriftValue, ThriftValue>>(count);
        for (var i = 0; i < count; i++)
        {
            var key = ReadValue(keyType, _position);
            entries.Add(new(key, ReadValue(valueType, _position)));
        }

        _depth--;
        return new ThriftMap(keyType, valueType, entries);
    }

    private static ThriftCompactType ElementType(byte code, int position) =>
        code is >= (byte)ThriftCompactType.BooleanTrue and <= (byte)ThriftCompactType.Struct
            ? (ThriftCompactType)code
            : throw new FormatException($"Thrift element type code {code} at byte {position} is not a compact protocol type.");

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new FormatException($"Thrift data nests deeper than {MaxDepth} levels at byte {_position}.");
        }
    }

    /// <summary>A binary length or collection count: a non-negative varint that fits in the bytes left.</summary>
    private int ReadLength(string what)
    {
        var start = _position;
        var length = ReadVarint(maxBytes: 5);
        if (length > (ulong)(_data.Length - _position))
        {
            throw new FormatException($"Thrift {what} at byte {start} claims {length} but only {_data.Length - _position} bytes remain.");
        }

        return (int)length;
    }

    private short ReadI16()
    {
        var start = _position;
        var value = Unzigzag(ReadVarint(maxBytes: 3));
        return value is >= short.MinValue and <= short.MaxValue
            ? (short)value
            : throw new FormatException($"Thrift i16 at byte {start} is out of range ({value}).");
    }

    private int ReadI32()
    {
        var start = _position;
        var value = Unzigzag(ReadVarint(maxBytes: 5));
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new FormatException($"Thrift i32 at byte {start} is out of range ({value}).");
    }

    private long ReadI64() => Unzigzag(ReadVarint(maxBytes: 10));

    private static long Unzigzag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Unsigned LEB128, at most <paramref name="maxBytes"/> long and within 64 bits.</summary>
    private ulong ReadVarint(int maxBytes)
    {
        var start = _position;
        ulong value = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            var b = ReadByte();
            if (i == 9 && b > 1)
            {
                throw new FormatException($"Thrift varint at byte {start} overflows 64 bits.");
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException($"Thrift varint at byte {start} is longer than {maxBytes} bytes.");
    }

    private byte ReadByte() =>
        _position < _data.Length
            ? _data[_position++]
            : throw new FormatException($"Thrift data ends at byte {_data.Length} in the middle of a value.");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_data.Length - _position < count)
        {
            throw new FormatException($"Thrift data ends at byte {_data.Length}; needed {count} more from byte {_position}.");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
