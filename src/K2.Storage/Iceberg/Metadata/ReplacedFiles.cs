namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// What one <c>replace</c> (a compaction) did to a table: the files and rows it added and the ones it removed, from
/// which the snapshot summary's counts and totals follow. A compaction adds as many rows as it removes.
/// </summary>
public sealed record ReplacedFiles(
    long AddedDataFiles,
    long AddedRecords,
    long AddedFilesSizeBytes,
    long DeletedDataFiles,
    long DeletedRecords,
    long RemovedFilesSizeBytes);
