namespace K2.Storage.Iceberg.Metadata;

/// <summary>When a snapshot became the table's current one.</summary>
public sealed record SnapshotLogEntry(long SnapshotId, long TimestampMs);
