namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// manifest_entry.data_file (field 2): one data file with its partition value and column metrics keyed by Iceberg
/// field id. Bounds are in the single-value serialization of <see cref="SingleValue"/>.
/// </summary>
/// <param name="FilePath">Full URI of the file (field 100).</param>
/// <param name="PartitionDay">The day partition value, days since 1970-01-01 (field 102); null for a null source value.</param>
/// <param name="RecordCount">Rows in the file (field 103).</param>
/// <param name="FileSizeInBytes">Total file size (field 104).</param>
public sealed record DataFile(string FilePath, int? PartitionDay, long RecordCount, long FileSizeInBytes)
{
    /// <summary>Field 134; K2 writes data files only.</summary>
    public DataFileContent Content { get; init; } = DataFileContent.Data;

    /// <summary>Field 101; Java writes the upper-case enum name and readers compare case-insensitively.</summary>
    public string FileFormat { get; init; } = "PARQUET";

    /// <summary>Field 108: bytes on disk per column.</summary>
    public IReadOnlyDictionary<int, long>? ColumnSizes { get; init; }

    /// <summary>Field 109: values per column, nulls included.</summary>
    public IReadOnlyDictionary<int, long>? ValueCounts { get; init; }

    /// <summary>Field 110: nulls per column.</summary>
    public IReadOnlyDictionary<int, long>? NullValueCounts { get; init; }

    /// <summary>Field 125: per column, a value at most every non-null value in the file.</summary>
    public IReadOnlyDictionary<int, byte[]>? LowerBounds { get; init; }

    /// <summary>Field 128: per column, a value at least every non-null value in the file.</summary>
    public IReadOnlyDictionary<int, byte[]>? UpperBounds { get; init; }

    /// <summary>Field 132: row group offsets, ascending.</summary>
    public IReadOnlyList<long>? SplitOffsets { get; init; }

    /// <summary>Field 140: the table sort order the file follows; 0 is unsorted.</summary>
    public int? SortOrderId { get; init; }
}
