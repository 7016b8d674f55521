namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The outcome of expiring snapshots: the metadata to commit and the snapshots it no longer lists (whose manifest
/// lists, and files no retained snapshot references, may then be deleted). <see cref="Metadata"/> is the input
/// itself when nothing expired, so there is nothing to commit.
/// </summary>
public sealed record SnapshotExpiry(TableMetadata Metadata, IReadOnlyList<Snapshot> Removed);
