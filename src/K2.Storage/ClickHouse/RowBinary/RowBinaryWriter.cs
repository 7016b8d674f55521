using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using K2.Core;

namespace K2.Storage.ClickHouse.RowBinary;

/// <summary>
/// Encodes values in ClickHouse's RowBinary format (https://clickhouse.com/docs/interfaces/formats/RowBinary):
/// fixed-width numbers little-endian, strings as a LEB128 length followed by the bytes, no row or column separators.
/// A struct holding only its output, so a writer per row costs no allocation.
/// </summary>
public readonly struct RowBinaryWriter(IBufferWriter<byte> output)
{
    /// <summary>A LEB128 length of a 64-bit value never takes more than 10 bytes.</summary>
    private const int MaxVarUIntBytes = 10;

    /// <summary>Strings up to this many chars encode to at most 127 UTF-8 bytes, so their length is one LEB128 byte.</summary>
    private const int MaxCharsForOneByteLength = 41;

    public void WriteUInt8(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>Enum8 is stored as its Int8 value.</summary>
    public void WriteEnum8(sbyte value) => WriteUInt8(unchecked((byte)value));

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(sizeof(int)), value);
        output.Advance(sizeof(int));
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(sizeof(long)), value);
        output.Advance(sizeof(long));
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(sizeof(ulong)), value);
        output.Advance(sizeof(ulong));
    }

    /// <summary>Decimal128 (precision 19 to 38) is the value times 10^scale as a little-endian Int128.</summary>
    public void WriteDecimal128Units(Int128 units)
    {
        BinaryPrimitives.WriteInt128LittleEndian(output.GetSpan(16), units);
        output.Advance(16);
    }

    /// <summary>DateTime64(6) is an Int64 count of microseconds since the epoch.</summary>
    public void WriteDateTime64Micros(UnixMicros value) => WriteInt64(value.Value);

    /// <summary>
    /// Decimal64 (precision 10 to 18) is the value times 10^scale as Int64. Throws when the value does not fit
    /// exactly: silently rounding a price is data loss.
    /// </summary>
    public void WriteDecimal64(decimal value, int scale) => WriteInt64(ToDecimal64(value, scale));

    public void WriteString(string value)
    {
        if (value.Length <= MaxCharsForOneByteLength)
        {
            // One pass: encode after the length byte, then fill it in.
            var destination = output.GetSpan(1 + Encoding.UTF8.GetMaxByteCount(value.Length));
            var written = Encoding.UTF8.GetBytes(value, destination[1..]);
            destination[0] = (byte)written;
            output.Advance(1 + written);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)length);
        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteVarUInt((ulong)utf8.Length);
        utf8.CopyTo(output.GetSpan(utf8.Length));
        output.Advance(utf8.Length);
    }

    /// <summary>Unsigned LEB128: seven bits per byte, low bits first, high bit set on every byte but the last.</summary>
    public void WriteVarUInt(ulong value)
    {
        var span = output.GetSpan(MaxVarUIntBytes);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    /// <summary>
    /// <paramref name="value"/> × 10^<paramref name="scale"/> as Int64; throws when it does not fit exactly. Values
    /// with at most <paramref name="scale"/> decimals and a 64-bit mantissa (every price and quantity a parser
    /// produces) are scaled in integers; anything else takes the exact decimal path.
    /// </summary>
    private static long ToDecimal64(decimal value, int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var valueScale = (bits[3] >> 16) & 0xFF;
        if (bits[2] == 0 && (uint)scale <= DecimalScale.MaxDecimal64Scale && valueScale <= scale)
        {
            var mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
            var high = Math.BigMul(mantissa, DecimalScale.UInt64PowerOfTen(scale - valueScale), out var magnitude);
            var negative = bits[3] < 0;
            if (high == 0 && (magnitude <= long.MaxValue || (negative && magnitude == 1UL << 63)))
            {
                return negative ? unchecked(-(long)magnitude) : (long)magnitude;
            }
        }

        decimal scaled;
        try
        {
            scaled = value * DecimalScale.PowerOfTen(scale);
        }
        catch (OverflowException)
        {
            scaled = decimal.MaxValue; // reported below like any other value too large for Int64
        }

        if (scaled != decimal.Truncate(scaled) || scaled is > long.MaxValue or < long.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Not representable as Decimal64 with scale {scale}.");
        }

        return decimal.ToInt64(scaled);
    }
}
