namespace K2.Storage.Iceberg.Maintenance;

/// <summary>What one table's compaction committed: <see cref="FilesReplaced"/> small files became <see cref="FilesWritten"/>.</summary>
public sealed record CompactionResult(int FilesReplaced, int FilesWritten);
