namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// A row group: its row count, sizes, and one chunk per leaf column in schema order. <see cref="FileOffset"/> is
/// field 5 as written (optional, and wrong in some old writers); prefer <see cref="StartOffset"/>.
/// </summary>
public sealed record ParquetRowGroup(
    long RowCount,
    long TotalByteSize,
    long? TotalCompressedSize,
    long? FileOffset,
    IReadOnlyList<ParquetColumnChunk> Columns)
{
    /// <summary>
    /// The byte offset where the row group's data starts, the first column chunk's start: Iceberg's
    /// <c>split_offsets</c> are these, as parquet-java's <c>BlockMetaData.getStartingPos</c> gives them.
    /// </summary>
    public long StartOffset => Columns.Count > 0 ? Columns[0].StartOffset : FileOffset ?? 0;
}
