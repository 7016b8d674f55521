using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace K2.Storage.Iceberg.Avro;

/// <summary>Avro binary encoding of single values (specification section "Binary Encoding") into a growing buffer.</summary>
public sealed class AvroBinaryWriter(ArrayBufferWriter<byte> buffer)
{
    public AvroBinaryWriter()
        : this(new ArrayBufferWriter<byte>())
    {
    }

    public ReadOnlySpan<byte> Written => buffer.WrittenSpan;

    public int Length => buffer.WrittenCount;

    public void Clear() => buffer.ResetWrittenCount();

    public void WriteBoolean(bool value) => WriteRaw([value ? (byte)1 : (byte)0]);

    /// <summary>An int is written exactly like a long: zig-zag, then a little-endian base-128 varint.</summary>
    public void WriteInt(int value) => WriteLong(value);

    public void WriteLong(long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        Span<byte> bytes = stackalloc byte[10];
        var length = 0;
        while (zigzag >= 0x80)
        {
            bytes[length++] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }

        bytes[length++] = (byte)zigzag;
        WriteRaw(bytes[..length]);
    }

    public void WriteFloat(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(sizeof(float)), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(sizeof(double)), value);

    /// <summary>bytes: the length as a long, then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteRaw(value);
    }

    /// <summary>string: the UTF-8 length as a long, then the UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLong(length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    /// <summary>fixed and raw framing (magic, sync markers): the bytes with no length.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    private Span<byte> Reserve(int count)
    {
        var span = buffer.GetSpan(count)[..count];
        buffer.Advance(count);
        return span;
    }
}
