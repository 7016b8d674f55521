using K2.Core;

namespace K2.Storage.Iceberg.Offload;

/// <summary>What one table's offload committed; <see cref="SnapshotId"/> is null when the slice was empty.</summary>
public sealed record OffloadResult(string Table, long Rows, long Bytes, int Files, long? SnapshotId, UnixMicros Watermark, TimeSpan Duration);
