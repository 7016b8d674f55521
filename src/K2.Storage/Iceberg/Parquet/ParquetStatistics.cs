namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// A column chunk's statistics as the footer holds them. Values are raw: PLAIN-encoded in the column's physical
/// type (little-endian for INT32/INT64, so a DECIMAL on INT64 is its unscaled value little-endian) and byte arrays
/// without a length prefix. Iceberg bounds use other encodings (decimals big-endian), so convert, don't copy.
/// <see cref="MinValue"/>/<see cref="MaxValue"/> are fields 6/5 (ordered by the column's type-defined order);
/// <see cref="LegacyMin"/>/<see cref="LegacyMax"/> are the deprecated fields 2/1 (signed byte order) of older writers.
/// </summary>
public sealed record ParquetStatistics(
    byte[]? MinValue,
    byte[]? MaxValue,
    long? NullCount,
    long? DistinctCount,
    bool? IsMinValueExact,
    bool? IsMaxValueExact,
    byte[]? LegacyMin,
    byte[]? LegacyMax);
