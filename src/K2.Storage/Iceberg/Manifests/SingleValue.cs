using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// Iceberg's binary single-value serialization (spec Appendix D), used for column bounds in manifests and for
/// partition bounds in manifest lists. Readers compare these bytes by type, so the encoding must be exact.
/// </summary>
public static class SingleValue
{
    /// <summary>int: 4-byte little-endian.</summary>
    public static byte[] FromInt(int value)
    {
        var bytes = new byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>date: days from 1970-01-01 as a 4-byte little-endian int.</summary>
    public static byte[] FromDate(int daysSinceEpoch) => FromInt(daysSinceEpoch);

    /// <summary>long: 8-byte little-endian.</summary>
    public static byte[] FromLong(long value)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>timestamp / timestamptz: microseconds from the epoch as an 8-byte little-endian long.</summary>
    public static byte[] FromTimestampMicros(long microsSinceEpoch) => FromLong(microsSinceEpoch);

    /// <summary>string: the UTF-8 bytes, without a length.</summary>
    public static byte[] FromString(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>binary and fixed: the bytes themselves.</summary>
    public static byte[] FromBinary(ReadOnlySpan<byte> value) => value.ToArray();

    /// <summary>decimal(P, S): the unscaled value as two's-complement big-endian, in the fewest bytes that hold it.</summary>
    public static byte[] FromUnscaledDecimal(BigInteger unscaled) => unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);

    /// <summary>decimal(P, S) from a .NET decimal; throws if <paramref name="value"/> has more than <paramref name="scale"/> fractional digits.</summary>
    public static byte[] FromDecimal(decimal value, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 28);
        var unscaled = value * Pow10(scale);
        if (unscaled != decimal.Truncate(unscaled))
        {
            throw new ArgumentException($"Decimal {value} has more than {scale} fractional digits.", nameof(value));
        }

        return FromUnscaledDecimal(new BigInteger(unscaled));
    }

    public static int ToInt(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32LittleEndian(Exactly(bytes, sizeof(int), "int"));

    public static long ToLong(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt64LittleEndian(Exactly(bytes, sizeof(long), "long"));

    public static string ToUtf8String(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    public static BigInteger ToUnscaledDecimal(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? throw new FormatException("An Iceberg decimal bound has no bytes.") : new BigInteger(bytes, isUnsigned: false, isBigEndian: true);

    private static ReadOnlySpan<byte> Exactly(ReadOnlySpan<byte> bytes, int size, string type) =>
        bytes.Length == size ? bytes : throw new FormatException($"An Iceberg {type} value takes {size} bytes, not {bytes.Length}.");

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10m;
        }

        return result;
    }
}
