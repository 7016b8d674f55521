using System.Buffers.Binary;
using System.Text;
using K2.Core;

namespace K2.Storage.ClickHouse.RowBinary;

/// <summary>Decodes ClickHouse RowBinary; the counterpart of <see cref="RowBinaryWriter"/>.</summary>
public ref struct RowBinaryReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool End => _position >= _data.Length;

    public readonly int Position => _position;

    public byte ReadUInt8() => Take(1)[0];

    public sbyte ReadEnum8() => unchecked((sbyte)ReadUInt8());

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong)));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)));

    public UnixMicros ReadDateTime64Micros() => new(ReadInt64());

    /// <summary>Decimal64 with the column's scale; the result keeps that scale (8 decimals for Decimal(18,8)).</summary>
    public decimal ReadDecimal64(int scale)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, DecimalScale.MaxDecimal64Scale);
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        var scaled = ReadInt64();
        // Unsigned magnitude, so long.MinValue needs no special case.
        var magnitude = scaled < 0 ? (ulong)-(scaled + 1) + 1 : (ulong)scaled;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, scaled < 0, (byte)scale);
    }

    /// <summary>Decimal128 as its scaled integer (the value times 10^scale).</summary>
    public Int128 ReadDecimal128Units() => BinaryPrimitives.ReadInt128LittleEndian(Take(16));

    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    public ReadOnlySpan<byte> ReadStringBytes()
    {
        var length = ReadVarUInt();
        if (length > int.MaxValue)
        {
            throw new FormatException($"RowBinary string length {length} at byte {_position} is implausible.");
        }

        return Take((int)length);
    }

    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadUInt8();
            // The tenth byte carries bit 63 only; anything more would not fit 64 bits.
            if (shift == 63 && b > 1)
            {
                throw new FormatException($"RowBinary LEB128 value at byte {_position} overflows 64 bits.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException($"RowBinary LEB128 value at byte {_position} is longer than 10 bytes.");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_data.Length - _position < count)
        {
            throw new FormatException($"RowBinary data ends at byte {_data.Length}; needed {count} more from byte {_position}.");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
