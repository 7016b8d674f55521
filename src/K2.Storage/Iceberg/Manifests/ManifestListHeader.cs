namespace K2.Storage.Iceberg.Manifests;

/// <summary>The Avro header keys of a manifest list (<c>snapshot-id</c>, <c>parent-snapshot-id</c>, <c>sequence-number</c>), as Java and PyIceberg write them.</summary>
public sealed record ManifestListHeader(long SnapshotId, long? ParentSnapshotId, long SequenceNumber);
