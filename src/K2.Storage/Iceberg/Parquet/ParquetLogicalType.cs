namespace K2.Storage.Iceberg.Parquet;

/// <summary>Which member of Parquet's <c>LogicalType</c> union annotates an element (the union's field id).</summary>
public enum ParquetLogicalTypeKind
{
    String = 1,
    Map = 2,
    List = 3,
    Enum = 4,
    Decimal = 5,
    Date = 6,
    Time = 7,
    Timestamp = 8,
    Integer = 10,
    Null = 11,
    Json = 12,
    Bson = 13,
    Uuid = 14,
    Float16 = 15,
    Variant = 16,
    Geometry = 17,
    Geography = 18,
}

/// <summary>Parquet's <c>TimeUnit</c> union member of a time or timestamp.</summary>
public enum ParquetTimeUnit
{
    Millis = 1,
    Micros = 2,
    Nanos = 3,
}

/// <summary>
/// An element's logical type with the parameters needed to turn footer statistics into Iceberg bounds:
/// decimal scale and precision, time unit and UTC adjustment, integer width and sign. Members K2 does not
/// interpret have only their <see cref="Kind"/>.
/// </summary>
public sealed record ParquetLogicalType(ParquetLogicalTypeKind Kind)
{
    public int? Scale { get; init; }

    public int? Precision { get; init; }

    public ParquetTimeUnit? Unit { get; init; }

    public bool? IsAdjustedToUtc { get; init; }

    public int? BitWidth { get; init; }

    public bool? IsSigned { get; init; }
}
