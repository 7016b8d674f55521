using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// Where a table's offload stands: rows up to <see cref="IngestTime"/> (ties broken by <see cref="TieBreaker"/>) are in
/// snapshot <see cref="SnapshotId"/>. A mirror, for people and dashboards: the authoritative copy is in the snapshot summary.
/// </summary>
public sealed record OffloadWatermark(string Table, UnixMicros IngestTime, string TieBreaker, long SnapshotId, UnixMicros UpdatedAt);
