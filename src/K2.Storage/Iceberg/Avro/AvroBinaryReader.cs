using System.Buffers.Binary;
using System.Text;

namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// Decodes Avro binary values from a span; the counterpart of <see cref="AvroBinaryWriter"/>. Every read checks the
/// bytes that remain, so truncated or corrupt input throws <see cref="FormatException"/> naming the offset.
/// </summary>
public ref struct AvroBinaryReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool End => _position >= _data.Length;

    public bool ReadBoolean()
    {
        var value = Take(1)[0];
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw new FormatException($"Avro boolean at byte {_position - 1} is {value}; only 0 and 1 are valid."),
        };
    }

    public int ReadInt()
    {
        var start = _position;
        var value = ReadLong();
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new FormatException($"Avro int at byte {start} is {value}, outside the 32-bit range.");
    }

    public long ReadLong()
    {
        var start = _position;
        ulong zigzag = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Take(1)[0];
            // The tenth byte carries bit 63 only; anything more would not fit 64 bits.
            if (shift == 63 && b > 1)
            {
                throw new FormatException($"Avro long at byte {start} overflows 64 bits.");
            }

            zigzag |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
            }
        }

        throw new FormatException($"Avro long at byte {start} is longer than 10 bytes.");
    }

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float)));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double)));

    public ReadOnlySpan<byte> ReadBytes() => Take(ReadLength("bytes"));

    public string ReadString()
    {
        var start = _position;
        var bytes = Take(ReadLength("string"));
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"Avro string at byte {start} is not valid UTF-8.", e);
        }
    }

    public ReadOnlySpan<byte> ReadFixed(int size) => Take(size);

    private int ReadLength(string what)
    {
        var start = _position;
        var length = ReadLong();
        if (length < 0 || length > Remaining)
        {
            throw new FormatException($"Avro {what} at byte {start} has length {length}, but {Remaining} bytes remain.");
        }

        return (int)length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (Remaining < count)
        {
            throw new FormatException($"Avro data ends at byte {_data.Length}; needed {count} more from byte {_position}.");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
