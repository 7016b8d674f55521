namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The state of a table after one commit: its data is everything the manifest list names. <see cref="Summary"/> always
/// holds <c>operation</c>; K2 adds the totals and its offload watermark there.
/// </summary>
public sealed record Snapshot(
    long SnapshotId,
    long? ParentSnapshotId,
    long SequenceNumber,
    long TimestampMs,
    string ManifestList,
    IReadOnlyDictionary<string, string> Summary,
    int? SchemaId);
