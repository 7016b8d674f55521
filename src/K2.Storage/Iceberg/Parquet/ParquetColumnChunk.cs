namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// One leaf column's chunk in a row group: what Iceberg's per-column metrics are summed from
/// (<c>column_sizes</c> from <see cref="TotalCompressedSize"/>, <c>value_counts</c> from <see cref="ValueCount"/>,
/// <c>null_value_counts</c> and bounds from <see cref="Statistics"/>). <see cref="ValueCount"/> includes nulls
/// (and, for a repeated column, counts list elements and empty lists, not rows).
/// </summary>
public sealed record ParquetColumnChunk(
    IReadOnlyList<string> Path,
    ParquetPhysicalType PhysicalType,
    ParquetCompressionCodec Codec,
    long ValueCount,
    long TotalCompressedSize,
    long TotalUncompressedSize,
    long DataPageOffset,
    long? DictionaryPageOffset,
    ParquetStatistics? Statistics)
{
    /// <summary>
    /// Where the chunk's first page starts: the dictionary page if there is one before the data pages, else the first
    /// data page (as parquet-java computes a chunk's starting position).
    /// </summary>
    public long StartOffset =>
        DictionaryPageOffset is > 0 and var dictionary && dictionary < DataPageOffset ? dictionary : DataPageOffset;
}
