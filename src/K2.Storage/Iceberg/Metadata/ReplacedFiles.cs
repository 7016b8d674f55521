namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// What one compaction did to a table: the files and rows it added and the ones it removed, from which the snapshot
/// summary's counts and totals follow. It adds as many rows as it removes, or fewer when it drops superseded versions.
/// </summary>
public sealed record ReplacedFiles(
    long AddedDataFiles,
    long AddedRecords,
    long AddedFilesSizeBytes,
    long DeletedDataFiles,
    long DeletedRecords,
    long RemovedFilesSizeBytes);
