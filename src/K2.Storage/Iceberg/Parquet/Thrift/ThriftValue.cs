namespace K2.Storage.Iceberg.Parquet.Thrift;

/// <summary>
/// A decoded Thrift value that keeps everything needed to encode it again unchanged, so a struct K2 does not
/// model (most of a Parquet footer) passes through a decode and encode with its meaning intact.
/// </summary>
internal abstract record ThriftValue
{
    /// <summary>The code this value is written with as a field or element.</summary>
    public abstract ThriftCompactType Type { get; }
}

internal sealed record ThriftBool(bool Value) : ThriftValue
{
    public override ThriftCompactType Type => Value ? ThriftCompactType.BooleanTrue : ThriftCompactType.BooleanFalse;
}

internal sealed record ThriftByte(sbyte Value) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.Byte;
}

internal sealed record ThriftI16(short Value) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.I16;
}

internal sealed record ThriftI32(int Value) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.I32;
}

internal sealed record ThriftI64(long Value) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.I64;
}

/// <summary>A double kept as its bits, so a NaN payload survives a round trip.</summary>
internal sealed record ThriftDouble(long Bits) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.Double;

    public double Value => BitConverter.Int64BitsToDouble(Bits);
}

/// <summary>Thrift <c>binary</c> and <c>string</c> (UTF-8), which share one encoding.</summary>
internal sealed record ThriftBinary(byte[] Value) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.Binary;
}

/// <summary>A list or set; the element type is kept as read, since an empty list still encodes it.</summary>
internal sealed record ThriftList(ThriftCompactType ElementType, List<ThriftValue> Elements, bool IsSet) : ThriftValue
{
    public override ThriftCompactType Type => IsSet ? ThriftCompactType.Set : ThriftCompactType.List;
}

/// <summary>
/// A list whose <see cref="Count"/> elements are already encoded back to back in <see cref="Elements"/>, written as they
/// are: how a Parquet footer with thousands of row groups is put together without holding each as decoded objects.
/// The reader never produces it.
/// </summary>
internal sealed record ThriftEncodedList(ThriftCompactType ElementType, int Count, ReadOnlyMemory<byte> Elements) : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.List;
}

/// <summary>A map; key and value types are kept as read (an empty map encodes neither).</summary>
internal sealed record ThriftMap(ThriftCompactType KeyType, ThriftCompactType ValueType, List<KeyValuePair<ThriftValue, ThriftValue>> Entries)
    : ThriftValue
{
    public override ThriftCompactType Type => ThriftCompactType.Map;
}

/// <summary>One field of a struct: its id and value, in the order they were read.</summary>
internal readonly record struct ThriftField(short Id, ThriftValue Value);
